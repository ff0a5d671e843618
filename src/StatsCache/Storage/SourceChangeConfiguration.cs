using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>Maps <see cref="SourceChange{TTeamId, TExperimentId, TSessionId}"/>.</summary>
/// <typeparam name="TEntity">The mapped entity type.</typeparam>
/// <typeparam name="TTeamId">The type of team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of experiment ids.</typeparam>
/// <typeparam name="TSessionId">The type of session ids.</typeparam>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class SourceChangeConfiguration<TEntity, TTeamId, TExperimentId, TSessionId>(string? schema = null) : IEntityTypeConfiguration<TEntity>
    where TEntity : SourceChange<TTeamId, TExperimentId, TSessionId>
    where TTeamId : struct
    where TExperimentId : struct
    where TSessionId : struct
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<TEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.SourceChanges, schema);
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        builder.Property(c => c.CacheName).HasColumnName("cache_name").HasMaxLength(63);
        builder.Property(c => c.TeamId).HasColumnName("team_id");
        builder.Property(c => c.ExperimentId).HasColumnName("experiment_id");
        builder.Property(c => c.SessionId).HasColumnName("session_id");
        builder.Property(c => c.ChangedAt).HasColumnName("changed_at");
        builder.HasIndex(c => new { c.CacheName, c.Id }).HasDatabaseName("ix_statscache_source_changes_cache_id");
    }
}

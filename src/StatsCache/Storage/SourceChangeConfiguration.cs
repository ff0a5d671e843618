using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>Maps <see cref="SourceChange"/>.</summary>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class SourceChangeConfiguration(string? schema = null) : IEntityTypeConfiguration<SourceChange>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<SourceChange> builder)
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

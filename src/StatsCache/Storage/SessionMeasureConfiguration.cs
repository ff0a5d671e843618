using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>Maps <see cref="SessionMeasure{TTeamId, TExperimentId, TSessionId}"/>, keyed by (team, session, measure).</summary>
/// <typeparam name="TEntity">The mapped entity type.</typeparam>
/// <typeparam name="TTeamId">The type of team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of experiment ids.</typeparam>
/// <typeparam name="TSessionId">The type of session ids.</typeparam>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class SessionMeasureConfiguration<TEntity, TTeamId, TExperimentId, TSessionId>(string? schema = null) : IEntityTypeConfiguration<TEntity>
    where TEntity : SessionMeasure<TTeamId, TExperimentId, TSessionId>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<TEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.SessionMeasures, schema);
        builder.HasKey(s => new { s.TeamId, s.SessionId, s.Measure });
        builder.Property(s => s.TeamId).HasColumnName("team_id");
        builder.Property(s => s.SessionId).HasColumnName("session_id");
        builder.Property(s => s.Measure).HasColumnName("measure").HasMaxLength(63);
        builder.Property(s => s.ExperimentId).HasColumnName("experiment_id");
        builder.Property(s => s.Value).HasColumnName("value");
        builder.Property(s => s.LastAt).HasColumnName("last_at");
        builder.Property(s => s.UpdatedAt).HasColumnName("updated_at");
        // Mirroring deletions re-reads the sessions whose last counted row falls in a range.
        builder.HasIndex(s => new { s.Measure, s.LastAt }).HasDatabaseName("ix_statscache_session_measures_last_at");
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>Maps <see cref="SessionStatistics{TTeamId, TExperimentId, TSessionId}"/>.</summary>
/// <typeparam name="TEntity">The mapped entity type.</typeparam>
/// <typeparam name="TTeamId">The type of team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of experiment ids.</typeparam>
/// <typeparam name="TSessionId">The type of session ids.</typeparam>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class SessionStatisticsConfiguration<TEntity, TTeamId, TExperimentId, TSessionId>(string? schema = null) : IEntityTypeConfiguration<TEntity>
    where TEntity : SessionStatistics<TTeamId, TExperimentId, TSessionId>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<TEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.SessionStatistics, schema);
        builder.HasKey(s => new { s.TeamId, s.SessionId });
        builder.Property(s => s.TeamId).HasColumnName("team_id");
        builder.Property(s => s.ExperimentId).HasColumnName("experiment_id");
        builder.Property(s => s.SessionId).HasColumnName("session_id");
        builder.Property(s => s.HumanMessageCount).HasColumnName("human_message_count");
        builder.Property(s => s.LastActivity).HasColumnName("last_activity");
        builder.Property(s => s.LastActivityOrMinValue).HasColumnName("last_activity_or_min")
            .HasComputedColumnSql("coalesce(last_activity, '-infinity'::timestamptz)", stored: true);
        builder.Property(s => s.Versions).HasColumnName("versions");
        builder.Property(s => s.UpdatedAt).HasColumnName("updated_at");
        // "Sessions of experiment X by last activity" is an index scan, newest first, inactive last.
        // The session id breaks ties, so a page ordered by (last activity desc, session id) is read in index order.
        builder.HasIndex(s => new { s.TeamId, s.ExperimentId, s.LastActivityOrMinValue, s.SessionId })
            .HasDatabaseName("ix_statscache_session_statistics_last_activity")
            .IsDescending(false, false, true, false);
    }
}

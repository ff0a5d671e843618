using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>
/// Maps <see cref="ExperimentStatistics{TTeamId, TExperimentId}"/> to the per-experiment totals table. The key leads with the
/// team (every read is scoped to one, and on Citus the team is the distribution key); one index per
/// statistic a page sorts by, each (team, statistic, experiment), so "the experiments of team X by last
/// activity" (or by sessions, participants, messages) is an index scan in either direction.
/// </summary>
/// <typeparam name="TEntity">The mapped entity type.</typeparam>
/// <typeparam name="TTeamId">The type of team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of experiment ids.</typeparam>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class ExperimentStatisticsConfiguration<TEntity, TTeamId, TExperimentId>(string? schema = null) : IEntityTypeConfiguration<TEntity>
    where TEntity : ExperimentStatistics<TTeamId, TExperimentId>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<TEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.ExperimentTotals, schema);
        builder.HasKey(s => new { s.TeamId, s.ExperimentId });
        builder.Property(s => s.TeamId).HasColumnName("team_id");
        builder.Property(s => s.ExperimentId).HasColumnName("experiment_id");
        builder.Property(s => s.SessionCount).HasColumnName("session_count");
        builder.Property(s => s.ParticipantCount).HasColumnName("participant_count");
        builder.Property(s => s.HumanMessageCount).HasColumnName("human_message_count");
        builder.Property(s => s.LastActivity).HasColumnName("last_activity");
        builder.Property(s => s.LastActivityOrMinValue).HasColumnName("last_activity_or_min")
            .HasComputedColumnSql("coalesce(last_activity, '-infinity'::timestamptz)", stored: true);
        builder.Property(s => s.UpdatedAt).HasColumnName("updated_at");
        // Newest first with the experiment id as tie-break: (last activity desc, id) in index order.
        builder.HasIndex(s => new { s.TeamId, s.LastActivityOrMinValue, s.ExperimentId })
            .HasDatabaseName("ix_statscache_experiment_totals_last_activity")
            .IsDescending(false, true, false);
        builder.HasIndex(s => new { s.TeamId, s.SessionCount, s.ExperimentId }).HasDatabaseName("ix_statscache_experiment_totals_sessions");
        builder.HasIndex(s => new { s.TeamId, s.ParticipantCount, s.ExperimentId }).HasDatabaseName("ix_statscache_experiment_totals_participants");
        builder.HasIndex(s => new { s.TeamId, s.HumanMessageCount, s.ExperimentId }).HasDatabaseName("ix_statscache_experiment_totals_messages");
    }
}

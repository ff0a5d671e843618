using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>
/// Maps <see cref="ExperimentStatistics"/> as a read-only entity over a GROUP BY of the bucket table.
/// EF Core inlines the query as a sub-query; PostgreSQL pushes the host's team filter (and the
/// join's experiment ids) into it, so only that team's buckets — a few dozen per experiment — are read.
/// </summary>
/// <param name="qualifiedBucketTable">The bucket table's quoted, schema-qualified name.</param>
public sealed class ExperimentStatisticsConfiguration(string qualifiedBucketTable) : IEntityTypeConfiguration<ExperimentStatistics>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<ExperimentStatistics> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // A key (team, experiment) lets a LEFT JOIN test the row for null; queries are read-only, use AsNoTracking.
        builder.HasKey(s => new { s.TeamId, s.ExperimentId });
        builder.ToSqlQuery($"""
            SELECT b.team_id, b.experiment_id,
                   sum(b.session_count)::bigint AS session_count,
                   sum(b.new_participant_count)::bigint AS participant_count,
                   sum(b.human_message_count)::bigint AS human_message_count,
                   max(b.last_activity) AS last_activity,
                   coalesce(max(b.last_activity), '-infinity'::timestamptz) AS last_activity_or_min
            FROM {qualifiedBucketTable} AS b
            GROUP BY b.team_id, b.experiment_id
            """);
        builder.Property(s => s.TeamId).HasColumnName("team_id");
        builder.Property(s => s.ExperimentId).HasColumnName("experiment_id");
        builder.Property(s => s.SessionCount).HasColumnName("session_count");
        builder.Property(s => s.ParticipantCount).HasColumnName("participant_count");
        builder.Property(s => s.HumanMessageCount).HasColumnName("human_message_count");
        builder.Property(s => s.LastActivity).HasColumnName("last_activity");
        builder.Property(s => s.LastActivityOrMinValue).HasColumnName("last_activity_or_min");
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>Maps <see cref="ExperimentBucket{TTeamId, TExperimentId}"/> (or the long-keyed <see cref="ExperimentBucket"/>).</summary>
/// <typeparam name="TEntity">The mapped entity type.</typeparam>
/// <typeparam name="TTeamId">The type of team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of experiment ids.</typeparam>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class ExperimentBucketConfiguration<TEntity, TTeamId, TExperimentId>(string? schema = null) : IEntityTypeConfiguration<TEntity>
    where TEntity : ExperimentBucket<TTeamId, TExperimentId>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<TEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.ExperimentBuckets, schema);
        // Team first: every read is scoped to a team, and on Citus the team is the distribution key.
        // No two buckets of an experiment start at the same instant (they never overlap), so the size
        // is in the key only to make "one row per (experiment, size, start)" explicit.
        builder.HasKey(b => new { b.TeamId, b.ExperimentId, b.Start, b.Size });
        builder.Property(b => b.TeamId).HasColumnName("team_id");
        builder.Property(b => b.ExperimentId).HasColumnName("experiment_id");
        builder.Property(b => b.Size).HasColumnName("bucket_size").HasConversion<short>();
        builder.Property(b => b.Start).HasColumnName("bucket_start");
        builder.Property(b => b.SessionCount).HasColumnName("session_count");
        builder.Property(b => b.NewParticipantCount).HasColumnName("new_participant_count");
        builder.Property(b => b.HumanMessageCount).HasColumnName("human_message_count");
        builder.Property(b => b.LastActivity).HasColumnName("last_activity");
        builder.Property(b => b.UpdatedAt).HasColumnName("updated_at");
        // Totals reads sum an experiment's buckets: with the summed columns in the index they are an
        // index-only scan instead of one heap page per bucket (buckets are written month by month, so an
        // experiment's rows are scattered); measured 3x faster for a page of 25 experiments.
        builder.HasIndex(b => new { b.TeamId, b.ExperimentId })
            .IncludeProperties(b => new { b.SessionCount, b.NewParticipantCount, b.HumanMessageCount, b.LastActivity })
            .HasDatabaseName("ix_statscache_experiment_buckets_totals");
        // Compression and the admin view select by size and age across experiments.
        builder.HasIndex(b => new { b.Size, b.Start }).HasDatabaseName("ix_statscache_experiment_buckets_size_start");
    }
}

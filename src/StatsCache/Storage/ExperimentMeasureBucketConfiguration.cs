using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>
/// Maps <see cref="ExperimentMeasureBucket{TTeamId, TExperimentId}"/>: keyed like the experiment buckets, with the
/// measure after the experiment (an experiment's buckets of one measure are one range of the key).
/// </summary>
/// <typeparam name="TEntity">The mapped entity type.</typeparam>
/// <typeparam name="TTeamId">The type of team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of experiment ids.</typeparam>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class ExperimentMeasureBucketConfiguration<TEntity, TTeamId, TExperimentId>(string? schema = null) : IEntityTypeConfiguration<TEntity>
    where TEntity : ExperimentMeasureBucket<TTeamId, TExperimentId>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<TEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.ExperimentMeasureBuckets, schema);
        builder.HasKey(b => new { b.TeamId, b.ExperimentId, b.Measure, b.Start, b.Size });
        builder.Property(b => b.TeamId).HasColumnName("team_id");
        builder.Property(b => b.ExperimentId).HasColumnName("experiment_id");
        builder.Property(b => b.Measure).HasColumnName("measure").HasMaxLength(63);
        builder.Property(b => b.Size).HasColumnName("bucket_size").HasConversion<short>();
        builder.Property(b => b.Start).HasColumnName("bucket_start");
        builder.Property(b => b.Value).HasColumnName("value");
        builder.Property(b => b.UpdatedAt).HasColumnName("updated_at");
        // Compression selects by size and age across experiments and measures.
        builder.HasIndex(b => new { b.Size, b.Start }).HasDatabaseName("ix_statscache_experiment_measure_buckets_size_start");
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>
/// Maps <see cref="ExperimentMeasure{TTeamId, TExperimentId}"/>: keyed by (team, experiment, measure), with an index
/// (team, measure, value, experiment) so "the experiments of team X by tokens used" is an index scan either way.
/// </summary>
/// <typeparam name="TEntity">The mapped entity type.</typeparam>
/// <typeparam name="TTeamId">The type of team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of experiment ids.</typeparam>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class ExperimentMeasureConfiguration<TEntity, TTeamId, TExperimentId>(string? schema = null) : IEntityTypeConfiguration<TEntity>
    where TEntity : ExperimentMeasure<TTeamId, TExperimentId>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<TEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.ExperimentMeasures, schema);
        builder.HasKey(m => new { m.TeamId, m.ExperimentId, m.Measure });
        builder.Property(m => m.TeamId).HasColumnName("team_id");
        builder.Property(m => m.ExperimentId).HasColumnName("experiment_id");
        builder.Property(m => m.Measure).HasColumnName("measure").HasMaxLength(63);
        builder.Property(m => m.Value).HasColumnName("value");
        builder.Property(m => m.UpdatedAt).HasColumnName("updated_at");
        builder.HasIndex(m => new { m.TeamId, m.Measure, m.Value, m.ExperimentId }).HasDatabaseName("ix_statscache_experiment_measures_value");
    }
}

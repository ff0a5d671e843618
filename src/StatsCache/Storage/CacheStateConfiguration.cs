using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>Maps <see cref="CacheState{TExperimentId}"/>.</summary>
/// <typeparam name="TEntity">The mapped entity type.</typeparam>
/// <typeparam name="TExperimentId">The type of experiment ids.</typeparam>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class CacheStateConfiguration<TEntity, TExperimentId>(string? schema = null) : IEntityTypeConfiguration<TEntity>
    where TEntity : CacheState<TExperimentId>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<TEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.CacheState, schema);
        builder.HasKey(s => s.CacheName);
        builder.Property(s => s.CacheName).HasColumnName("cache_name").HasMaxLength(63);
        builder.Property(s => s.Watermark).HasColumnName("watermark");
        builder.Property(s => s.DailyFrom).HasColumnName("daily_from");
        builder.Property(s => s.HourlyFrom).HasColumnName("hourly_from");
        builder.Property(s => s.BackfillRequestedFrom).HasColumnName("backfill_requested_from");
        builder.Property(s => s.BackfillExperiments).HasColumnName("backfill_experiments");
        builder.Property(s => s.BackfillTo).HasColumnName("backfill_to");
        builder.Property(s => s.BackfillDoneUntil).HasColumnName("backfill_done_until");
        builder.Property(s => s.TimeZone).HasColumnName("time_zone");
        builder.Property(s => s.UpdatedAt).HasColumnName("updated_at");
    }
}

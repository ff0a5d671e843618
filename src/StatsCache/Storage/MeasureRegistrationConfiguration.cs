using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>Maps <see cref="MeasureRegistration"/>, keyed by (cache, measure).</summary>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class MeasureRegistrationConfiguration(string? schema = null) : IEntityTypeConfiguration<MeasureRegistration>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<MeasureRegistration> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.Measures, schema);
        builder.HasKey(r => new { r.CacheName, r.Measure });
        builder.Property(r => r.CacheName).HasColumnName("cache_name").HasMaxLength(63);
        builder.Property(r => r.Measure).HasColumnName("measure").HasMaxLength(63);
        builder.Property(r => r.Fingerprint).HasColumnName("fingerprint").HasMaxLength(64);
        builder.Property(r => r.BuiltAt).HasColumnName("built_at");
    }
}

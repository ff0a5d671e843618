using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>Maps <see cref="MaintenanceRun"/>.</summary>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class MaintenanceRunConfiguration(string? schema = null) : IEntityTypeConfiguration<MaintenanceRun>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<MaintenanceRun> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.MaintenanceRuns, schema);
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        builder.Property(r => r.CacheName).HasColumnName("cache_name").HasMaxLength(63);
        builder.Property(r => r.Operation).HasColumnName("operation").HasMaxLength(16);
        builder.Property(r => r.StartedAt).HasColumnName("started_at");
        builder.Property(r => r.DurationMs).HasColumnName("duration_ms");
        builder.Property(r => r.RowsWritten).HasColumnName("rows_written");
        builder.Property(r => r.Detail).HasColumnName("detail");
        builder.HasIndex(r => new { r.CacheName, r.Operation, r.StartedAt }).HasDatabaseName("ix_statscache_runs_operation_started");
    }
}

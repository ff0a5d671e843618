using StatsCache.Sources;
using StatsCache.Storage;

// In EF Core's namespace so a host's OnModelCreating needs no extra using.
// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds the statistics cache's tables to a host's model.</summary>
public static class StatisticsCacheModelBuilderExtensions
{
    /// <summary>
    /// Applies the entity configurations of the cache's tables (buckets, session totals,
    /// participant first-seen, state, run history, tracked source changes) and the keyless <see cref="ExperimentStatistics"/> totals, so they arrive through the host's own migrations.
    /// </summary>
    /// <param name="modelBuilder">The host's model builder.</param>
    /// <param name="schema">Schema for the tables; null uses the model's default schema.</param>
    /// <returns>The same model builder.</returns>
    public static ModelBuilder UseStatisticsCache(this ModelBuilder modelBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfiguration(new ExperimentBucketConfiguration(schema));
        modelBuilder.ApplyConfiguration(new SessionStatisticsConfiguration(schema));
        modelBuilder.ApplyConfiguration(new ParticipantFirstSeenConfiguration(schema));
        modelBuilder.ApplyConfiguration(new CacheStateConfiguration(schema));
        modelBuilder.ApplyConfiguration(new MaintenanceRunConfiguration(schema));
        modelBuilder.ApplyConfiguration(new SourceChangeConfiguration(schema));

        // The totals query reads the bucket table under whatever name and schema the model gives it.
        var buckets = modelBuilder.Entity<ExperimentBucket>().Metadata;
        var table = SqlIdentifier.QuoteQualified(buckets.GetSchema(), buckets.GetTableName() ?? StorageTableNames.ExperimentBuckets);
        modelBuilder.ApplyConfiguration(new ExperimentStatisticsConfiguration(table));
        return modelBuilder;
    }
}

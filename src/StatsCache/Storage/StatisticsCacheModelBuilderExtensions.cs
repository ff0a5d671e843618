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
    /// participant first-seen, state, run history, tracked source changes) and the per-experiment <see cref="ExperimentStatistics"/> totals, so they arrive through the host's own migrations.
    /// </summary>
    /// <param name="modelBuilder">The host's model builder.</param>
    /// <param name="schema">Schema for the tables; null uses the model's default schema.</param>
    /// <returns>The same model builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a plain identifier (e.g. <c>my-stats</c>): the cache's statements would refuse it, and the host's model could not be built.</exception>
    /// <remarks>
    /// To rename one of the tables, configure it with <c>modelBuilder.Entity&lt;ExperimentBucket&gt;().ToTable(…)</c>
    /// <em>before</em> or after this call; the cache reads every table's name back from the model.
    /// </remarks>
    public static ModelBuilder UseStatisticsCache(this ModelBuilder modelBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        if (schema is not null && SqlIdentifier.Problem(schema) is { } problem)
        {
            throw new ArgumentException(
                $"UseStatisticsCache: schema {(schema.Length == 0 ? "" : "name ")}{problem}. StatsCache accepts plain identifiers only, so that it can quote them safely; use e.g. \"{Suggest(schema)}\".",
                nameof(schema));
        }

        modelBuilder.ApplyConfiguration(new ExperimentBucketConfiguration(schema));
        modelBuilder.ApplyConfiguration(new SessionStatisticsConfiguration(schema));
        modelBuilder.ApplyConfiguration(new ParticipantFirstSeenConfiguration(schema));
        modelBuilder.ApplyConfiguration(new CacheStateConfiguration(schema));
        modelBuilder.ApplyConfiguration(new MaintenanceRunConfiguration(schema));
        modelBuilder.ApplyConfiguration(new SourceChangeConfiguration(schema));
        modelBuilder.ApplyConfiguration(new ExperimentStatisticsConfiguration(schema));
        return modelBuilder;
    }

    /// <summary>
    /// Maps the entity to our default table name in <paramref name="schema"/>, unless the host already gave
    /// it a table explicitly (<c>ToTable</c> before <c>UseStatisticsCache()</c>): that name is kept.
    /// </summary>
    internal static void ToDefaultTable<T>(this Metadata.Builders.EntityTypeBuilder<T> builder, string name, string? schema)
        where T : class
    {
        if (((Metadata.IConventionEntityType)builder.Metadata).GetTableNameConfigurationSource() != Metadata.ConfigurationSource.Explicit)
        {
            builder.ToTable(name, schema);
        }
    }

    private static string Suggest(string schema)
    {
        var plain = new string(schema.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? char.ToLowerInvariant(c) : '_').ToArray()).Trim('_');
        return plain.Length == 0 || char.IsAsciiDigit(plain[0]) ? "stats" : plain;
    }
}

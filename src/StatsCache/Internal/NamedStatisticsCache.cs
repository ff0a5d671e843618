using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StatsCache.ChangeTracking;
using StatsCache.Health;
using StatsCache.Maintenance;
using StatsCache.Reads;

namespace StatsCache.Internal;

/// <summary>
/// The object graph of one named cache (<c>AddStatisticsCache("reporting", o => …)</c>): its readers, its
/// maintenance operations and its facade, all over its own <see cref="CacheEnvironment"/> (keyed by the name).
/// The default cache resolves the same types as plain singletons; a named cache cannot (they are resolved by
/// type), so its graph is built here, once, by a keyed factory. Shared services (clock, loggers, metrics) come
/// from the container; only the per-cache objects are passed in.
/// </summary>
internal sealed class NamedStatisticsCache
{
    public NamedStatisticsCache(string name, IServiceProvider services)
    {
        Environment = services.GetRequiredKeyedService<CacheEnvironment>(name);
        var options = Microsoft.Extensions.Options.Options.Create(Environment.Options);
        var totals = Make<TotalsReader>(Environment);
        var series = Make<SeriesReader>(Environment);
        var reconciler = Make<Reconciler>(Environment);
        var changes = Make<ChangeProcessor>(Environment, reconciler);
        var installer = Make<ChangeTrackingInstaller>(Environment);
        var backfiller = Make<Backfiller>(Environment);
        var refresher = Make<Refresher>(Environment, backfiller, changes);
        var compressor = Make<Compressor>(Environment);
        var verifier = Make<Verifier>(Environment, reconciler);
        var failures = Make<FailedRunRecorder>(Environment);
        Cache = Make<StatisticsCache>(options, totals, series, refresher, compressor, backfiller, reconciler, installer, verifier, failures, Make<Storage.CacheTables>(Environment));

        T Make<T>(params object[] perCache) => ActivatorUtilities.CreateInstance<T>(services, perCache);
    }

    public CacheEnvironment Environment { get; }

    public IStatisticsCache Cache { get; }

    /// <summary>The named cache's environment, over its named options (validated when first read: a bad option throws, naming the cache).</summary>
    public static CacheEnvironment EnvironmentOf(string name, IServiceProvider services) => new(
        Microsoft.Extensions.Options.Options.Create(services.GetRequiredService<IOptionsMonitor<StatisticsCacheOptions>>().Get(name)),
        services.GetRequiredService<StatisticsCacheRegistry>().Named[name],
        services);
}

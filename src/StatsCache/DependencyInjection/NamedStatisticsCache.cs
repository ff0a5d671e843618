using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StatsCache.ChangeTracking;
using StatsCache.Health;
using StatsCache.Internal;
using StatsCache.Maintenance;
using StatsCache.Reads;

namespace StatsCache.DependencyInjection;

/// <summary>
/// The object graph of one named cache (<c>AddStatisticsCache("reporting", o => …)</c>): its readers, its
/// maintenance operations and its facade, all over its own <see cref="CacheEnvironment"/> (keyed by the name).
/// The default cache resolves the same types as plain singletons; a named cache cannot (they are resolved by
/// type), so its graph is built here, once, by a keyed factory: per-cache types resolve to this cache's instances,
/// shared services (clock, loggers, metrics) come from the container.
/// </summary>
internal sealed class NamedStatisticsCache
{
    public NamedStatisticsCache(string name, IServiceProvider services)
    {
        Environment = services.GetRequiredKeyedService<CacheEnvironment>(name);
        var own = new PerCache(services);
        own.Add(Environment);
        own.Add<IOptions<StatisticsCacheOptions>>(Microsoft.Extensions.Options.Options.Create(Environment.Options));
        own.Add(services.GetRequiredService<StatisticsCacheRegistry>().Named[name]);
        // In dependency order: each is built from this cache's objects built before it.
        own.Make<TotalsReader>();
        own.Make<SeriesReader>();
        own.Make<Reconciler>();
        own.Make<ChangeProcessor>();
        own.Make<ChangeTrackingInstaller>();
        own.Make<Backfiller>();
        own.Make<Refresher>();
        own.Make<Compressor>();
        own.Make<Verifier>();
        own.Make<FailedRunRecorder>();
        own.Make<CacheTables>();
        Engine = own.Make<StatisticsCacheEngine>();
        _cache = new Lazy<IStatisticsCache>(() => new StatisticsCache(Engine));
    }

    public CacheEnvironment Environment { get; }

    /// <summary>The cache's operations, behind its typed faces.</summary>
    public StatisticsCacheEngine Engine { get; }

    /// <summary>The long-keyed face; built when first resolved, so that a cache with other key types fails only if it is asked for.</summary>
    public IStatisticsCache Cache => _cache.Value;

    private readonly Lazy<IStatisticsCache> _cache;

    /// <summary>The named cache's environment, over its named options (validated when first read: a bad option throws, naming the cache).</summary>
    public static CacheEnvironment EnvironmentOf(string name, IServiceProvider services) => new(
        Microsoft.Extensions.Options.Options.Create(services.GetRequiredService<IOptionsMonitor<StatisticsCacheOptions>>().Get(name)),
        services.GetRequiredService<StatisticsCacheRegistry>().Named[name],
        services);

    /// <summary>
    /// Resolves the per-cache types (this cache's environment, options, marker and the objects built so far) from this
    /// cache, everything else (clock, loggers, metrics) from the container: a constructor that gains a parameter of a
    /// per-cache type gets this cache's instance, never the default cache's.
    /// </summary>
    private sealed class PerCache(IServiceProvider container) : IServiceProvider
    {
        private readonly Dictionary<Type, object> _own = [];

        public void Add<T>(T instance)
            where T : class => _own[typeof(T)] = instance;

        public T Make<T>()
            where T : class
        {
            var instance = ActivatorUtilities.CreateInstance<T>(this);
            Add(instance);
            return instance;
        }

        // No IServiceProviderIsService: the container's would answer for the default cache's registrations.
        public object? GetService(Type serviceType) =>
            _own.TryGetValue(serviceType, out var instance) ? instance
            : serviceType == typeof(IServiceProviderIsService) ? null
            : container.GetService(serviceType);
    }
}

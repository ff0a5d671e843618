using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StatsCache.DependencyInjection;
using StatsCache;
using StatsCache.ChangeTracking;
using StatsCache.Hosting;
using StatsCache.Internal;
using StatsCache.Maintenance;
using StatsCache.Reads;

// In the DI namespace so a host's Program.cs needs no extra using.
// ReSharper disable once CheckNamespace
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the statistics cache.</summary>
public static class StatisticsCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IStatisticsCache"/> (singleton) and validates <see cref="StatisticsCacheOptions"/>
    /// when the host starts: a bad option stops start-up with a message naming it.
    /// Uses the registered <see cref="TimeProvider"/>, or <see cref="TimeProvider.System"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options: sources, connection, policy.</param>
    /// <returns>A builder to bind a DbContext or map sources to entity types.</returns>
    public static StatisticsCacheBuilder AddStatisticsCache(this IServiceCollection services, Action<StatisticsCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        var registry = StatisticsCacheRegistry.In(services);
        var marker = registry.Default;
        if (marker is null)
        {
            marker = new StatisticsCacheMarker();
            registry.Default = marker;
            services.AddSingleton(marker);
        }

        services.AddOptions<StatisticsCacheOptions>().Configure(configure).ValidateOnStart();
        AddShared(services);
        services.TryAddSingleton<CacheEnvironment>();
        services.TryAddSingleton<TotalsReader>();
        services.TryAddSingleton<SeriesReader>();
        services.TryAddSingleton<Reconciler>();
        services.TryAddSingleton<ChangeProcessor>();
        services.TryAddSingleton<ChangeTrackingInstaller>();
        services.TryAddSingleton<Backfiller>();
        services.TryAddSingleton<Refresher>();
        services.TryAddSingleton<Compressor>();
        services.TryAddSingleton<Verifier>();
        services.TryAddSingleton<StatsCache.Health.FailedRunRecorder>();
        services.TryAddSingleton<CacheTables>();
        services.TryAddSingleton<StatisticsCacheEngine>();
        services.TryAddSingleton<IScheduledMaintenance>(static sp => sp.GetRequiredService<StatisticsCacheEngine>());
        services.TryAddSingleton<IStatisticsCache, StatisticsCache>();
        services.TryAdd(ServiceDescriptor.Singleton(typeof(IStatisticsCache<,,>), typeof(StatisticsCache<,,>)));
        return new StatisticsCacheBuilder(services, marker);
    }

    /// <summary>
    /// Registers a further cache, named <paramref name="name"/>, beside (or instead of) the default one: a keyed
    /// <see cref="IStatisticsCache"/> singleton (<c>[FromKeyedServices("reporting")] IStatisticsCache</c>,
    /// <c>GetRequiredKeyedService&lt;IStatisticsCache&gt;("reporting")</c>) over named <see cref="StatisticsCacheOptions"/>,
    /// with its own connection, sources, tables, state and maintenance lock. Its options are validated when the host
    /// starts, like the default cache's, with messages that name the cache. Its health check:
    /// <c>services.AddHealthChecks().AddStatisticsCache("reporting")</c>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The cache's name: its DI key and its options name. <see cref="StatisticsCacheOptions.CacheName"/> defaults to it.</param>
    /// <param name="configure">Sets the options: sources, connection, policy.</param>
    /// <returns>A builder that configures this cache only (<c>UseDbContext</c>, <c>MapSessions</c>, …).</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    /// <remarks>
    /// One set of tables holds one cache, so a named cache never falls back to the default cache's tables: set
    /// <see cref="StatisticsCacheOptions.Schema"/> to a schema of its own, or bind it with <c>UseDbContext&lt;TContext&gt;()</c>
    /// to a DbContext no other cache is bound to (whose model calls <c>modelBuilder.UseStatisticsCache("reporting_stats")</c>);
    /// start-up is refused otherwise. Calling this again with the same name adds to that cache's options.
    /// </remarks>
    public static StatisticsCacheBuilder AddStatisticsCache(this IServiceCollection services, string name, Action<StatisticsCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        var registry = StatisticsCacheRegistry.In(services);
        if (!registry.Named.TryGetValue(name, out var marker))
        {
            marker = new StatisticsCacheMarker(name);
            registry.Named[name] = marker;
            services.AddOptions<StatisticsCacheOptions>(name).Configure(o => o.CacheName = name); // before the host's own settings
        }

        services.AddOptions<StatisticsCacheOptions>(name).Configure(configure).ValidateOnStart();
        AddShared(services);
        services.TryAddKeyedSingleton(name, (sp, key) => NamedStatisticsCache.EnvironmentOf((string)key!, sp));
        services.TryAddKeyedSingleton(name, (sp, key) => new NamedStatisticsCache((string)key!, sp));
        services.TryAddKeyedSingleton(name, (sp, key) => sp.GetRequiredKeyedService<NamedStatisticsCache>(key).Cache);
        services.TryAdd(ServiceDescriptor.KeyedSingleton(typeof(IStatisticsCache<,,>), name, typeof(NamedTypedStatisticsCache<,,>)));
        return new StatisticsCacheBuilder(services, marker);
    }

    /// <summary>What every cache shares: validators, logging, the clock and the meter.</summary>
    private static void AddShared(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatisticsCacheOptions>, StatisticsCacheOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatisticsCacheOptions>, EntityModelOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StatisticsCacheMetrics>();
    }
}

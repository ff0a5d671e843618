using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StatsCache;
using StatsCache.ChangeTracking;
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

        var marker = services.FirstOrDefault(d => d.ServiceType == typeof(StatisticsCacheMarker))?.ImplementationInstance as StatisticsCacheMarker;
        if (marker is null)
        {
            marker = new StatisticsCacheMarker();
            services.AddSingleton(marker);
        }

        services.AddOptions<StatisticsCacheOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatisticsCacheOptions>, StatisticsCacheOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatisticsCacheOptions>, EntityModelOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StatisticsCacheMetrics>();
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
        services.TryAddSingleton<IStatisticsCache, StatisticsCache>();
        return new StatisticsCacheBuilder(services, marker);
    }
}

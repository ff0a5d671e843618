using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StatsCache.Health;
using StatsCache.Internal;

// In the DI namespace, next to AddHealthChecks(), so the host needs no extra using.
// ReSharper disable once CheckNamespace
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the statistics cache's health check.</summary>
public static class StatisticsCacheHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check of the cache's refresh: healthy while the watermark is fresh, degraded
    /// after <paramref name="degradedAfter"/> (default 10 minutes) without a refresh, failing after
    /// <paramref name="unhealthyAfter"/> (default 1 hour) or when the cache was never built.
    /// "No new data" never looks like "the job is dead": every refresh moves the watermark.
    /// </summary>
    /// <param name="builder">The host's health checks builder.</param>
    /// <param name="name">The check's name. Default <c>statscache</c>.</param>
    /// <param name="degradedAfter">Lag after which the check reports degraded.</param>
    /// <param name="unhealthyAfter">Lag after which the check reports its failure status.</param>
    /// <param name="failureStatus">Status reported on failure; default unhealthy.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is not positive, or <paramref name="unhealthyAfter"/> is less than <paramref name="degradedAfter"/>.</exception>
    public static IHealthChecksBuilder AddStatisticsCache(
        this IHealthChecksBuilder builder,
        string name = "statscache",
        TimeSpan? degradedAfter = null,
        TimeSpan? unhealthyAfter = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var degraded = degradedAfter ?? TimeSpan.FromMinutes(10);
        var unhealthy = unhealthyAfter ?? TimeSpan.FromHours(1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(degraded, TimeSpan.Zero, nameof(degradedAfter));
        ArgumentOutOfRangeException.ThrowIfLessThan(unhealthy, degraded, nameof(unhealthyAfter));
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new StatisticsCacheHealthCheck(services.GetRequiredService<CacheEnvironment>(), services.GetService<TimeProvider>() ?? TimeProvider.System, degraded, unhealthy),
            failureStatus,
            tags));
    }
}

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
    /// <param name="cacheName">The named cache to check (<c>AddStatisticsCache("reporting", …)</c>); null (default) checks the default cache.</param>
    /// <param name="degradedAfter">Lag after which the check reports degraded.</param>
    /// <param name="unhealthyAfter">Lag after which the check reports its failure status.</param>
    /// <param name="failureStatus">Status reported on failure; default unhealthy.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    /// <param name="name">The check's name. Default <c>statscache</c> for the default cache, <c>statscache-{cacheName}</c> for a named one.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>Each cache has its own check, over its own tables and state: <c>AddStatisticsCache().AddStatisticsCache("reporting")</c> adds two independent checks.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is not positive, or <paramref name="unhealthyAfter"/> is less than <paramref name="degradedAfter"/>.</exception>
    public static IHealthChecksBuilder AddStatisticsCache(
        this IHealthChecksBuilder builder,
        string? cacheName = null,
        TimeSpan? degradedAfter = null,
        TimeSpan? unhealthyAfter = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var degraded = degradedAfter ?? TimeSpan.FromMinutes(10);
        var unhealthy = unhealthyAfter ?? TimeSpan.FromHours(1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(degraded, TimeSpan.Zero, nameof(degradedAfter));
        ArgumentOutOfRangeException.ThrowIfLessThan(unhealthy, degraded, nameof(unhealthyAfter));
        if (cacheName is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(cacheName);
        }

        return builder.Add(new HealthCheckRegistration(
            name ?? (cacheName is null ? "statscache" : "statscache-" + cacheName),
            services => EnvironmentOf(services, cacheName) is { } env
                ? new StatisticsCacheHealthCheck(env, services.GetService<TimeProvider>() ?? TimeProvider.System, degraded, unhealthy)
                : new UnregisteredCache(cacheName!),
            failureStatus,
            tags));
    }

    private static CacheEnvironment? EnvironmentOf(IServiceProvider services, string? cacheName) => cacheName is null
        ? services.GetRequiredService<CacheEnvironment>()
        : services.GetKeyedService<CacheEnvironment>(cacheName);

    /// <summary>A check of a cache name nobody registered (a typo): reports its failure status, saying so, and leaves the other checks running.</summary>
    private sealed class UnregisteredCache(string cacheName) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => Task.FromResult(new HealthCheckResult(
            context.Registration.FailureStatus,
            $"StatsCache: the health check is for cache '{cacheName}', but no cache of that name is registered; register it with services.AddStatisticsCache(\"{cacheName}\", o => …) (the check's own name is the name: parameter)."));
    }
}

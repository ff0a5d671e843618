using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StatsCache.IntegrationTests.Host;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// One app instance of the cache, wired like <see cref="CacheHarness"/> wires it (DbContext-bound,
/// entity-mapped sessions and versions, human messages from a SELECT), but with a clock and an
/// application name of its own: property tests need a fresh clock per history on a reused
/// database, and the lock-observation tests need to tell our backends from the writers' in
/// pg_stat_activity. The host may have other key types than <c>long</c> (<see cref="HostKeys"/>): then
/// <see cref="Statistics"/> reads it, and <see cref="Cache"/> (the long-keyed one) does not resolve.
/// </summary>
public sealed class CacheInstance : IAsyncDisposable
{
    /// <summary>application_name of every backend the cache opens in these tests.</summary>
    public const string MaintenanceApplication = "statscache-maintenance";

    private readonly ServiceProvider _services;

    private CacheInstance(ServiceProvider services, FakeTimeProvider clock, HostKeys keys)
    {
        _services = services;
        Clock = clock;
        Statistics = HostCache.Resolve(services, keys);
    }

    /// <summary>The long-keyed cache (resolving it on a host of other key types throws).</summary>
    public IStatisticsCache Cache => _services.GetRequiredService<IStatisticsCache>();

    /// <summary>The cache in the harness's ids, whatever the host's key types.</summary>
    public IHostCache Statistics { get; }

    public FakeTimeProvider Clock { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public IServiceProvider Services => _services;

    public static CacheInstance Create(string connectionString, FakeTimeProvider clock, Action<StatisticsCacheOptions>? configure = null, HostShape shape = HostShape.GlobalSessionIds, HostKeys? keys = null, HostSources sources = HostSources.EntityModel, bool measures = false)
    {
        keys ??= HostKeys.Int64;
        var cacheConnection = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = MaintenanceApplication }.ConnectionString;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        HostWiring.AddHostAndCache(services, connectionString, shape, keys, o =>
        {
            o.ConnectionString = cacheConnection;
            if (measures)
            {
                HostWiring.DeclareMeasures(o);
            }

            configure?.Invoke(o);
        }, sources);
        return new CacheInstance(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), clock, keys);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

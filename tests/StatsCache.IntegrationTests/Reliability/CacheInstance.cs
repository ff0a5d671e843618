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
/// pg_stat_activity.
/// </summary>
public sealed class CacheInstance : IAsyncDisposable
{
    /// <summary>application_name of every backend the cache opens in these tests.</summary>
    public const string MaintenanceApplication = "statscache-maintenance";

    private readonly ServiceProvider _services;

    private CacheInstance(ServiceProvider services, FakeTimeProvider clock)
    {
        _services = services;
        Clock = clock;
        Cache = services.GetRequiredService<IStatisticsCache>();
    }

    public IStatisticsCache Cache { get; }

    public FakeTimeProvider Clock { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public IServiceProvider Services => _services;

    public static CacheInstance Create(string connectionString, FakeTimeProvider clock, Action<StatisticsCacheOptions>? configure = null, HostShape shape = HostShape.GlobalSessionIds)
    {
        var cacheConnection = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = MaintenanceApplication }.ConnectionString;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        HostWiring.AddHostAndCache(services, connectionString, shape, o =>
        {
            o.ConnectionString = cacheConnection;
            configure?.Invoke(o);
        });
        return new CacheInstance(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), clock);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

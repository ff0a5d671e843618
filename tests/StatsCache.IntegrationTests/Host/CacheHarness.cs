using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StatsCache.Reads;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Host;

/// <summary>
/// A fresh database with the host schema and the cache's tables, a cache wired the way a host
/// wires it (bound to its DbContext, sessions and versions mapped from entity types, human
/// messages from a SELECT), and a fake clock.
/// </summary>
public sealed class CacheHarness : IHostUnderTest, IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CacheHarness(ServiceProvider services, NpgsqlDataSource db, FakeTimeProvider clock, string connectionString, HostShape shape, bool measures)
    {
        Measures = measures;
        _services = services;
        Db = db;
        Clock = clock;
        ConnectionString = connectionString;
        Shape = shape;
        Cache = services.GetRequiredService<IStatisticsCache>();
        Data = new HostData(db, shape);
        Live = LiveStatistics.For(db, shape, measures: measures);
    }

    /// <summary>How the host keys its rows (global session ids, or ids unique within a team).</summary>
    public HostShape Shape { get; }

    public IStatisticsCache Cache { get; }

    /// <summary>Whether the cache declares the host's measures (<see cref="HostWiring.DeclareMeasures"/>) and <see cref="Live"/> computes them.</summary>
    public bool Measures { get; }

    public FakeTimeProvider Clock { get; }

    public NpgsqlDataSource Db { get; }

    public HostData Data { get; }

    public LiveStatistics Live { get; }

    public string ConnectionString { get; }

    public IServiceProvider Services => _services;

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    /// <param name="server">The PostgreSQL server (a fresh database is created on it).</param>
    /// <param name="start">Where the fake clock starts.</param>
    /// <param name="configure">Runs after the defaults (and after the measures are declared).</param>
    /// <param name="shape">How the host keys its rows.</param>
    /// <param name="measures">Declare the host's measures (bot_messages, tokens_used) and have <see cref="Live"/> compute them.</param>
    public static async Task<CacheHarness> CreateAsync(PostgresServer server, DateTime start, Action<StatisticsCacheOptions>? configure = null, HostShape shape = HostShape.GlobalSessionIds, bool measures = false)
    {
        var connectionString = await server.CreateDatabaseAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(start, TimeSpan.Zero));
        var provider = BuildServices(connectionString, clock, shape, measures, configure);
        await HostWiring.EnsureCreatedAsync(provider, shape);
        return new CacheHarness(provider, NpgsqlDataSource.Create(connectionString), clock, connectionString, shape, measures);
    }

    /// <summary>Another app instance on the same database and clock (its own pool, its own services), declaring the same measures unless <paramref name="configure"/> changes them.</summary>
    public ServiceProvider NewInstance(Action<StatisticsCacheOptions>? configure = null, Action<IServiceCollection>? configureServices = null) =>
        BuildServices(ConnectionString, Clock, Shape, Measures, configure, configureServices);

    private static ServiceProvider BuildServices(string connectionString, FakeTimeProvider clock, HostShape shape, bool measures, Action<StatisticsCacheOptions>? configure, Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configureServices?.Invoke(services);
        services.AddSingleton<TimeProvider>(clock);
        HostWiring.AddHostAndCache(services, connectionString, shape, o =>
        {
            if (measures)
            {
                HostWiring.DeclareMeasures(o);
            }

            configure?.Invoke(o);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Db.DisposeAsync();
    }

    /// <summary>Asserts every experiment and session total of a team equals the live SQL, exactly.</summary>
    public Task AssertExactAsync(long team, string because = "", ReadMode mode = ReadMode.Cached) =>
        ExactTotals.AssertExactAsync(this, team, because, mode);
}

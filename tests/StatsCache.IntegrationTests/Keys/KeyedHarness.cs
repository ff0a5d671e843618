using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StatsCache.IntegrationTests.Host;

namespace StatsCache.IntegrationTests.Keys;

/// <summary>
/// <see cref="CacheHarness"/> for a host with other key types than <c>long</c>: a fresh database whose
/// host tables hold each kind of id in the host's type (integer, bigint or uuid), a cache over them —
/// bound to the keyed host context with sources mapped from its entities (key types from the EF model),
/// or with raw SQL sources and declared key types (<see cref="HostSources.Sql"/>) — and a fake clock.
/// The shared checks and histories read it through <see cref="Statistics"/>, in the harness's ids.
/// </summary>
public sealed class KeyedHarness : IHostUnderTest, IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private KeyedHarness(ServiceProvider services, NpgsqlDataSource db, FakeTimeProvider clock, string connectionString, HostShape shape, HostKeys keys, HostSources sources, bool measures)
    {
        Measures = measures;
        _services = services;
        Db = db;
        Clock = clock;
        ConnectionString = connectionString;
        Shape = shape;
        Keys = keys;
        Sources = sources;
        Statistics = HostCache.Resolve(services, keys);
        Data = new HostData(db, shape, keys);
        Live = LiveStatistics.For(db, shape, keys, measures);
    }

    public HostShape Shape { get; }

    public HostKeys Keys { get; }

    public HostSources Sources { get; }

    /// <summary>Whether the cache declares the host's measures (<see cref="HostWiring.DeclareMeasures"/>) and <see cref="Live"/> computes them.</summary>
    public bool Measures { get; }

    /// <summary>The long-keyed cache: resolving it on a host of other key types throws, naming the cache's.</summary>
    public IStatisticsCache Cache => _services.GetRequiredService<IStatisticsCache>();

    public IHostCache Statistics { get; }

    public FakeTimeProvider Clock { get; }

    public NpgsqlDataSource Db { get; }

    public HostData Data { get; }

    public LiveStatistics Live { get; }

    public string ConnectionString { get; }

    public IServiceProvider Services => _services;

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public static async Task<KeyedHarness> CreateAsync(PostgresServer server, DateTime start, HostKeys keys, HostShape shape = HostShape.GlobalSessionIds, HostSources sources = HostSources.EntityModel, Action<StatisticsCacheOptions>? configure = null, bool measures = false)
    {
        var connectionString = await server.CreateDatabaseAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(start, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        HostWiring.AddHostAndCache(services, connectionString, shape, keys, o =>
        {
            if (measures)
            {
                HostWiring.DeclareMeasures(o);
            }

            configure?.Invoke(o);
        }, sources);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await HostWiring.EnsureCreatedAsync(provider, connectionString, shape, keys, sources);
        return new KeyedHarness(provider, NpgsqlDataSource.Create(connectionString), clock, connectionString, shape, keys, sources, measures);
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);

    /// <summary>The column types of the host's id columns and the cache's, as PostgreSQL reports them ("table.column type").</summary>
    public async Task<IReadOnlyList<string>> IdColumnTypesAsync()
    {
        await using var command = Db.CreateCommand("""
            SELECT table_name || '.' || column_name || ' ' || data_type
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name IN ('id', 'team_id', 'experiment_id', 'session_id', 'participant_id')
            ORDER BY table_name, column_name
            """);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Db.DisposeAsync();
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Reads;

namespace StatsCache.IntegrationTests.Host;

/// <summary>
/// A fresh database with the host schema and the cache's tables, a cache wired the way a host
/// wires it (bound to its DbContext, sessions and versions mapped from entity types, human
/// messages from a SELECT), and a fake clock.
/// </summary>
public sealed class CacheHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CacheHarness(ServiceProvider services, NpgsqlDataSource db, FakeTimeProvider clock, string connectionString)
    {
        _services = services;
        Db = db;
        Clock = clock;
        ConnectionString = connectionString;
        Cache = services.GetRequiredService<IStatisticsCache>();
        Data = new HostData(db);
        Live = new LiveStatistics(db);
    }

    public IStatisticsCache Cache { get; }

    public FakeTimeProvider Clock { get; }

    public NpgsqlDataSource Db { get; }

    public HostData Data { get; }

    public LiveStatistics Live { get; }

    public string ConnectionString { get; }

    public IServiceProvider Services => _services;

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public static async Task<CacheHarness> CreateAsync(PostgresServer server, DateTime start, Action<StatisticsCacheOptions>? configure = null)
    {
        var connectionString = await server.CreateDatabaseAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(start, TimeSpan.Zero));
        var provider = BuildServices(connectionString, clock, configure);

        await using (var scope = provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<HostDbContext>().Database.EnsureCreatedAsync();
        }

        return new CacheHarness(provider, NpgsqlDataSource.Create(connectionString), clock, connectionString);
    }

    /// <summary>Another app instance on the same database and clock (its own pool, its own services).</summary>
    public ServiceProvider NewInstance(Action<StatisticsCacheOptions>? configure = null, Action<IServiceCollection>? configureServices = null) =>
        BuildServices(ConnectionString, Clock, configure, configureServices);

    private static ServiceProvider BuildServices(string connectionString, FakeTimeProvider clock, Action<StatisticsCacheOptions>? configure, Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configureServices?.Invoke(services);
        services.AddSingleton<TimeProvider>(clock);
        services.AddDbContext<HostDbContext>(o => o.UseNpgsql(connectionString));
        services.AddStatisticsCache(o =>
            {
                o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human";
                configure?.Invoke(o);
            })
            .UseDbContext<HostDbContext>()
            .MapSessions<ChatSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt })
            .MapVersions<MessageVersion>(v => new { v.SessionId, Version = v.Label, v.CreatedAt });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Db.DisposeAsync();
    }

    /// <summary>Asserts every experiment and session total of a team equals the live SQL, exactly.</summary>
    public async Task AssertExactAsync(long team, string because = "", ReadMode mode = ReadMode.Cached)
    {
        var before = Now;
        var liveExperiments = await Live.ExperimentsAsync(team, before);
        var cachedExperiments = await Cache.GetExperimentTotalsAsync(team, liveExperiments.Keys, mode);
        cachedExperiments.Should().BeEquivalentTo(liveExperiments, "{2} experiment totals of team {0} must equal the live query {1}", team, because, mode);

        var liveSessions = await Live.SessionsAsync(team, before);
        var cachedSessions = await Cache.GetSessionTotalsAsync(team, liveSessions.Keys, mode);
        cachedSessions.Should().BeEquivalentTo(liveSessions, "{2} session totals of team {0} must equal the live query {1}", team, because, mode);
    }
}

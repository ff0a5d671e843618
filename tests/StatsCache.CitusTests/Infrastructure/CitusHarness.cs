using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StatsCache.TestSupport.Host;
using StatsCache.Reads;

namespace StatsCache.CitusTests.Infrastructure;

/// <summary>
/// A host on Citus: a fresh schema with the team-scoped host tables (versions carry their team, as
/// a host distributed by team keeps them) and the cache's tables, distributed per
/// <see cref="CitusCluster.DistributeScript"/>; a cache bound to the host's DbContext; a fake clock.
/// The cache and the DbContext connect through a data source whose sessions have auto_explain
/// print every plan as a notice, collected in <see cref="Plans"/>. The host's own writes and the
/// live oracle use a plain data source.
/// </summary>
public sealed class CitusHarness : IHostUnderTest, IAsyncDisposable
{
    private readonly CitusCluster _cluster;
    private readonly ServiceProvider _services;
    private readonly NpgsqlDataSource _explained;
    private readonly ILoggerFactory _loggers;

    private CitusHarness(CitusCluster cluster, string schema, string connectionString, ServiceProvider services, NpgsqlDataSource explained, ILoggerFactory loggers, PlanLog plans, FakeTimeProvider clock)
    {
        _cluster = cluster;
        Schema = schema;
        ConnectionString = connectionString;
        _services = services;
        _explained = explained;
        _loggers = loggers;
        Plans = plans;
        Clock = clock;
        Db = NpgsqlDataSource.Create(connectionString);
        Cache = services.GetRequiredService<IStatisticsCache>();
        Data = new HostData(Db, HostShape.TeamScopedIds);
        Live = LiveStatistics.For(Db, HostShape.TeamScopedIds);
    }

    public string Schema { get; }

    /// <summary>Always team-scoped: a host distributed by team keeps its ids unique within a team.</summary>
    public HostShape Shape => HostShape.TeamScopedIds;

    public string ConnectionString { get; }

    public IStatisticsCache Cache { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>Plain connections (no plans printed): the host's writes and the live oracle.</summary>
    public NpgsqlDataSource Db { get; }

    public HostData Data { get; }

    public LiveStatistics Live { get; }

    public PlanLog Plans { get; }

    public IServiceProvider Services => _services;

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public static async Task<CitusHarness> CreateAsync(CitusCluster cluster, DateTime start, Action<StatisticsCacheOptions>? configure = null)
    {
        var (schema, connectionString) = await cluster.CreateSchemaAsync();
        var plans = new PlanLog();
        var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(plans));
        var explainedBuilder = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(connectionString) { Options = PlanLog.ExplainOptions }.ConnectionString);
        explainedBuilder.UseLoggerFactory(loggers);
        var explained = explainedBuilder.Build();
        var clock = new FakeTimeProvider(new DateTimeOffset(start, TimeSpan.Zero));

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddHealthChecks().AddStatisticsCache(degradedAfter: TimeSpan.FromMinutes(10), unhealthyAfter: TimeSpan.FromHours(1));
        services.AddDbContext<TeamScopedHostDbContext>(o => o.UseNpgsql(explained));
        HostWiring.AddCache<TeamScopedHostDbContext>(services, HostShape.TeamScopedIds, configure);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        await using (var scope = provider.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<TeamScopedHostDbContext>();
            // The schema is empty but the database is not: create the tables without EnsureCreated's "any table?" test.
            await context.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
        }

        await CitusCluster.ExecuteAsync(connectionString, CitusCluster.DistributeScript);
        return new CitusHarness(cluster, schema, connectionString, provider, explained, loggers, plans, clock);
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);

    /// <summary>A DbContext of the host on the explained connections (its statements land in <see cref="Plans"/>).</summary>
    public AsyncServiceScope NewScope() => _services.CreateAsyncScope();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Db.DisposeAsync();
        await _explained.DisposeAsync();
        _loggers.Dispose();
        NpgsqlConnection.ClearAllPools();
        await _cluster.DropSchemaAsync(Schema);
    }

    /// <summary>Asserts every experiment and session total of a team equals the live SQL, exactly.</summary>
    public Task AssertExactAsync(long team, string because = "", ReadMode mode = ReadMode.Cached) =>
        ExactTotals.AssertExactAsync(this, team, because, mode);
}

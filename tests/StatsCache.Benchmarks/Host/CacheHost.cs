using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Storage;
using StatsCache.TestSupport.Host;

namespace StatsCache.Benchmarks.Host;

/// <summary>
/// The cache wired the way a host wires it (bound to its DbContext, sessions and versions mapped
/// from entities, human messages from a SELECT), on a fake clock: the benchmark decides when "now"
/// is, so a reused database continues where its data ends and every refresh sees exactly one more hour.
/// </summary>
public sealed class CacheHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CacheHost(ServiceProvider services, FakeTimeProvider clock)
    {
        _services = services;
        Clock = clock;
        Cache = services.GetRequiredService<IStatisticsCache>();
    }

    public IStatisticsCache Cache { get; }

    public FakeTimeProvider Clock { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public static CacheHost Create(string connectionString, DateTime now)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(now, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddDbContext<BenchDbContext>(o => o.UseNpgsql(connectionString));
        HostWiring.AddCache<BenchDbContext>(services, HostShape.GlobalSessionIds);
        return new CacheHost(services.BuildServiceProvider(), clock);
    }

    /// <summary>A fresh host DbContext, as a request scope would get.</summary>
    public AsyncServiceScope Scope(out BenchDbContext db)
    {
        var scope = _services.CreateAsyncScope();
        db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
        return scope;
    }

    public void SetNow(DateTime utc) => Clock.SetUtcNow(new DateTimeOffset(utc, TimeSpan.Zero));

    /// <summary>
    /// (Re)creates the cache's tables from the library's current model (what the host's migration does).
    /// Always from scratch: the benchmark rebuilds the cache anyway, and a database reused across library
    /// versions must not keep an older table shape.
    /// </summary>
    public static async Task RecreateCacheTablesAsync(NpgsqlDataSource db, string connectionString, CancellationToken ct)
    {
        var options = new DbContextOptionsBuilder<CacheOnlyDbContext>().UseNpgsql(connectionString).Options;
        await using var context = new CacheOnlyDbContext(options);
        var tables = context.Model.GetEntityTypes()
            .Where(e => e.GetTableName() is not null)
            .Select(e => e.GetSchema() is { } schema ? $"\"{schema}\".\"{e.GetTableName()}\"" : $"\"{e.GetTableName()}\"");
        await Db.ExecuteAsync(db, $"DROP TABLE IF EXISTS {string.Join(", ", tables)} CASCADE", ct);
        await Db.ExecuteAsync(db, context.Database.GenerateCreateScript(), ct);
    }

    /// <summary>Empties the cache (buckets, session rows, first-seen, state, runs): the next backfill starts from nothing.</summary>
    public static Task ResetCacheAsync(NpgsqlDataSource db, CancellationToken ct) => Db.ExecuteAsync(
        db,
        $"TRUNCATE {CacheTableNames.ExperimentBuckets}, {CacheTableNames.ExperimentTotals}, {CacheTableNames.SessionStatistics}, {CacheTableNames.ParticipantFirstSeen}, {CacheTableNames.CacheState}, {CacheTableNames.MaintenanceRuns}",
        ct);

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}

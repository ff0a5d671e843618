using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using StatsCache.Internal;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.IntegrationTests.Reliability;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// Two caches in one database (other CacheName, other sources): in one set of tables they used to mix
/// their buckets (2,548 mismatches) and deadlock each other; now the second is refused, naming both and
/// the fix. In two schemas they are fully separate — own lock, state and tables — under concurrent maintenance.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoCachesTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 8, 20, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>Cache B counts every message, bot replies too: other numbers over the same host tables.</summary>
    private const string AllMessages = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages";

    [Fact]
    public async Task ASecondCacheOnTheSameTablesIsRefusedAndChangesNothing()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h, experiment: 10, Start.AddDays(-3));
        await h.Cache.RefreshAsync();
        var before = await Invariants.DumpAsync(h.Db);
        await using var b = h.NewInstance(o => (o.CacheName, o.HumanMessages.Sql) = ("b", AllMessages));
        var cacheB = b.GetRequiredService<IStatisticsCache>();

        foreach (var operation in new Func<Task>[] { () => cacheB.RefreshAsync(), () => cacheB.BackfillAsync(), () => cacheB.CompressAsync() })
        {
            (await operation.Should().ThrowAsync<InvalidOperationException>()).Which.Message
                .Should().Contain("cache 'b' shares its tables with cache 'default'").And.Contain("own Schema").And.Contain("UseStatisticsCache(\"b_stats\")");
        }

        (await Invariants.DumpAsync(h.Db)).Should().Equal(before, "the refused cache wrote nothing");
        await using (var command = h.Db.CreateCommand("SELECT count(*) FROM statscache_state WHERE cache_name = 'b'"))
        {
            (await command.ExecuteScalarAsync()).Should().Be(0L, "it did not even claim a state row, so the first cache keeps working");
        }

        h.Advance(TimeSpan.FromMinutes(5));
        (await h.Cache.RefreshAsync()).Skipped.Should().BeFalse();
        await h.AssertExactAsync(1, "the first cache is untouched");
    }

    [Fact]
    public async Task TwoCachesInTwoSchemasStaySeparateAndExactUnderConcurrentMaintenance()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await CreateCacheTablesAsync(h.ConnectionString, "b_stats");
        await using var b = CacheB(h);
        var cacheB = b.GetRequiredService<IStatisticsCache>();
        var liveB = new LiveStatistics(h.Db, humanMessages: $"({AllMessages})");
        b.GetRequiredService<CacheEnvironment>().LockKey.Should().NotBe(h.Services.GetRequiredService<CacheEnvironment>().LockKey);

        for (var round = 0; round < 6; round++)
        {
            await SeedAsync(h, experiment: 10 + round % 3, h.Now.AddMinutes(-30));
            await SeedAsync(h, experiment: 20, h.Now.AddDays(-round - 1));
            h.Advance(TimeSpan.FromMinutes(20));

            // Every operation of both caches at once: before the fix, this is where 40P01/40001 came from.
            await Task.WhenAll(
                h.Cache.RefreshAsync(),
                cacheB.RefreshAsync(),
                h.Cache.BackfillAsync(new BackfillRequest { From = h.Now.AddDays(-8) }),
                cacheB.BackfillAsync(new BackfillRequest { From = h.Now.AddDays(-8) }),
                h.Cache.CompressAsync(),
                cacheB.CompressAsync());
            await Task.WhenAll(h.Cache.RefreshAsync(), cacheB.RefreshAsync());

            await h.AssertExactAsync(1, $"cache A after round {round}");
            var experimentsB = await liveB.ExperimentsAsync(1, h.Now);
            (await cacheB.GetExperimentTotalsAsync(1, experimentsB.Keys)).Should().BeEquivalentTo(experimentsB, "cache B after round {0}", round);
            var sessionsB = await liveB.SessionsAsync(1, h.Now);
            (await cacheB.GetSessionTotalsAsync(1, sessionsB.Keys)).Should().BeEquivalentTo(sessionsB, "cache B after round {0}", round);
        }

        HumanMessagesOf(await h.Cache.GetExperimentTotalsAsync(1, [20])).Should().NotBe(HumanMessagesOf(await cacheB.GetExperimentTotalsAsync(1, [20])), "B counts bot replies too");
        await using var states = h.Db.CreateCommand("SELECT (SELECT string_agg(cache_name, ',') FROM public.statscache_state), (SELECT string_agg(cache_name, ',') FROM b_stats.statscache_state)");
        await using var reader = await states.ExecuteReaderAsync();
        await reader.ReadAsync();
        (reader.GetString(0), reader.GetString(1)).Should().Be(("default", "b"), "each schema holds one cache's state");

        static long HumanMessagesOf(IReadOnlyDictionary<long, StatsCache.ExperimentStats> totals) => totals[20].HumanMessageCount;
    }

    private static async Task SeedAsync(CacheHarness h, long experiment, DateTime at)
    {
        var session = await h.Data.AddSessionAsync(1, experiment, experiment * 100 + at.Minute, at);
        await h.Data.AddMessagesAsync(1, experiment, session, [at.AddMinutes(1), at.AddMinutes(2)], human: true, version: "v1");
        await h.Data.AddMessagesAsync(1, experiment, session, [at.AddMinutes(3)], human: false);
    }

    /// <summary>Cache B without EF: its own name, its own schema, its own sources.</summary>
    private static ServiceProvider CacheB(CacheHarness h)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(h.Clock);
        services.AddStatisticsCache(o =>
        {
            o.ConnectionString = h.ConnectionString;
            o.CacheName = "b";
            o.Schema = "b_stats";
            o.Sessions.Table = "chat_sessions";
            o.Sessions.SessionIdColumn = "id";
            o.HumanMessages.Sql = AllMessages;
            o.Versions.Table = "message_versions";
            o.Versions.VersionColumn = "version_label";
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static async Task CreateCacheTablesAsync(string connectionString, string schema)
    {
        var options = new DbContextOptionsBuilder<SchemaContext>().UseNpgsql(connectionString).Options;
        await using var context = new SchemaContext(options, schema);
#pragma warning disable EF1003 // The schema is validated and quoted.
        await context.Database.ExecuteSqlRawAsync("CREATE SCHEMA IF NOT EXISTS " + Sources.SqlIdentifier.Quote(schema));
#pragma warning restore EF1003
        await context.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
    }

    /// <summary>A context holding only the cache's tables, in a schema of its own.</summary>
    private sealed class SchemaContext(DbContextOptions<SchemaContext> options, string schema) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseStatisticsCache(schema);
    }
}

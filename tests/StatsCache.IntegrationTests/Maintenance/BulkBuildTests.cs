using Microsoft.Extensions.DependencyInjection;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.IntegrationTests.Reliability;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// The first build of an empty cache within <see cref="StatisticsCacheOptions.BulkBuildMaxRows"/> is one
/// set-based transaction, and stores exactly the rows the chunked build stores.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BulkBuildTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    private static async Task SeedAsync(CacheHarness h)
    {
        // Eight months: monthly, daily and hourly buckets; participants coming back months later; a message
        // stamped before its session started; a session whose messages continue into later months; bot replies with versions.
        for (var day = 240; day >= 0; day -= 5)
        {
            var at = Start.AddDays(-day).AddHours(-(day % 7));
            var s = await h.Data.AddSessionAsync(1 + (day % 2), 10 + (day % 3), day % 11, at);
            await h.Data.AddMessagesAsync(1 + (day % 2), 10 + (day % 3), s, at.AddMinutes(5), 1 + (day % 4), $"v{day % 5}");
            await h.Data.AddMessagesAsync(1 + (day % 2), 10 + (day % 3), s, [at.AddDays(day % 40)], human: true);
        }

        var early = await h.Data.AddSessionAsync(1, 10, 99, Start.AddDays(-30));
        await h.Data.AddMessagesAsync(1, 10, early, [Start.AddDays(-31)], human: true);
        var anonymous = await h.Data.AddSessionAsync(2, 12, null, Start.AddHours(-2));
        await h.Data.AddMessagesAsync(2, 12, anonymous, Start.AddHours(-1), 3, "v9");
    }

    [Fact]
    public async Task AnEmptyCacheIsBuiltInOneTransactionWithExactlyTheRowsOfTheChunkedBuild()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h);

        var bulk = await h.Cache.BackfillAsync();
        bulk.Chunks.Should().Be(1, "an empty cache within BulkBuildMaxRows is built in one set-based transaction");
        await h.AssertExactAsync(1, "after the bulk build");
        await h.AssertExactAsync(2, "after the bulk build");
        (await Invariants.CoverageProblemsAsync(h.Db)).Should().BeEmpty();
        var bulkRows = await Invariants.DumpAsync(h.Db);

        await using (var command = h.Db.CreateCommand("""
            DELETE FROM statscache_state;
            TRUNCATE statscache_experiment_buckets, statscache_experiment_totals, statscache_session_statistics, statscache_participant_first_seen;
            """))
        {
            await command.ExecuteNonQueryAsync();
        }

        await using var chunkedServices = h.NewInstance(o => o.BulkBuildMaxRows = 0);
        var chunked = await chunkedServices.GetRequiredService<IStatisticsCache>().BackfillAsync();
        chunked.Chunks.Should().BeGreaterThan(3);
        (await Invariants.DumpAsync(h.Db)).Should().Equal(bulkRows, "both builds store the same rows");
    }

    [Fact]
    public async Task ACacheHoldingRowsOrAPartialBackfillKeepsTheChunkedPath()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h);
        await h.Cache.BackfillAsync();

        (await h.Cache.BackfillAsync()).Chunks.Should().BeGreaterThan(1, "a rebuild over tables that hold rows merges chunk by chunk");
        (await h.Cache.BackfillAsync(new StatsCache.BackfillRequest { ExperimentIds = [10] })).Chunks.Should().BeGreaterThan(1);
        await h.AssertExactAsync(1, "after the chunked rebuilds");
        (await Invariants.CoverageProblemsAsync(h.Db)).Should().BeEmpty();
    }
}

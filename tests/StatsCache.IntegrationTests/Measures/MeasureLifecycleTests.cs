using Microsoft.Extensions.DependencyInjection;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Reads;

namespace StatsCache.IntegrationTests.Measures;

/// <summary>
/// Measures declared on a cache that is already built, removed, re-added and redefined. A declared measure not
/// (or no longer) registered with its current definition reads exactly from the host's rows until the next
/// maintenance call builds it from the whole history and registers it; from then on it is served from our tables
/// (a cached read does not see rows written after the refresh, a real-time read does). A measure no longer
/// declared loses its rows and its registration at the next maintenance call; one whose definition changed is rebuilt.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MeasureLifecycleTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 2, 27, 15, 20, 0, DateTimeKind.Utc);

    private static readonly ReadMode[] Modes = [ReadMode.Cached, ReadMode.RealTime, ReadMode.Live];

    [Fact]
    public async Task AMeasureAddedToABuiltCacheReadsLiveThenFromOurTablesAfterTheNextRefresh()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start); // built without measures
        await MeasureChecks.SeedAsync(h.Data, new Random(5), Start.AddDays(-50), Start, 60);
        (await h.Cache.RefreshAsync()).Initialized.Should().BeTrue();
        (await MeasureChecks.RowsAsync(h.Db, HostWiring.TokensUsed)).Should().Be((0L, 0L, 0L), "a cache without measures writes no measure row");

        await using var services = h.NewInstance(HostWiring.DeclareMeasures);
        var cache = services.GetRequiredService<IStatisticsCache>();
        var live = LiveStatistics.For(h.Db, h.Shape, measures: true);
        (await MeasureChecks.RegisteredAsync(h.Db)).Should().BeEmpty();
        foreach (var mode in Modes)
        {
            await MeasureChecks.AssertExactAsync(cache, live, h.Now, mode, "before the measures are built: they read live");
        }

        h.Advance(TimeSpan.FromMinutes(30));
        await cache.RefreshAsync();
        (await MeasureChecks.RegisteredAsync(h.Db)).Should().BeEquivalentTo(new Dictionary<string, string>
        {
            [HostWiring.BotMessages] = MeasureChecks.FingerprintOf(HostWiring.BotMessagesMeasure()),
            [HostWiring.TokensUsed] = MeasureChecks.FingerprintOf(HostWiring.TokensUsedMeasure()),
        }, "the next maintenance call builds and registers every declared measure");
        foreach (var measure in new[] { HostWiring.BotMessages, HostWiring.TokensUsed })
        {
            var (buckets, totals, sessions) = await MeasureChecks.RowsAsync(h.Db, measure);
            buckets.Should().BePositive("{0} is built from the whole history", measure);
            totals.Should().BePositive();
            sessions.Should().BePositive();
        }

        foreach (var mode in Modes)
        {
            await MeasureChecks.AssertExactAsync(cache, live, h.Now, mode, "after the refresh that built them");
        }

        // Served from our tables now: rows written after the refresh are not in a cached read, but are in a real-time one.
        var watermark = h.Now;
        h.Advance(TimeSpan.FromMinutes(20));
        await MeasureChecks.SeedAsync(h.Data, new Random(6), watermark, h.Now, 8);
        await MeasureChecks.AssertExactAsync(cache, live, watermark, ReadMode.Cached, "cached reads are as of the last refresh");
        await MeasureChecks.AssertExactAsync(cache, live, h.Now, ReadMode.RealTime, "real-time reads add the rows since");

        // The instance that declares no measure reads none.
        (await h.Cache.GetExperimentTotalsAsync(1, [11, 12])).Values.Should().OnlyContain(s => s.Measures.Count == 0);
    }

    [Fact]
    public async Task AMeasureRemovedLosesItsRowsAndReadsExactlyAgainWhenReAddedAndRedefined()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, measures: true);
        await MeasureChecks.SeedAsync(h.Data, new Random(9), Start.AddDays(-50), Start, 60);
        await h.Cache.RefreshAsync();
        var both = LiveStatistics.For(h.Db, h.Shape, measures: true);
        await MeasureChecks.AssertExactAsync(h.Cache, both, h.Now, ReadMode.Cached, "built with both measures");
        (await MeasureChecks.RegisteredAsync(h.Db)).Keys.Should().BeEquivalentTo([HostWiring.BotMessages, HostWiring.TokensUsed]);

        // tokens_used is removed: the next maintenance call forgets it (rows and registration); bot_messages stays.
        await using (var botsOnly = h.NewInstance(o => o.Measures.RemoveAt(1)))
        {
            var cache = botsOnly.GetRequiredService<IStatisticsCache>();
            h.Advance(TimeSpan.FromMinutes(10));
            await cache.RefreshAsync();
            (await MeasureChecks.RegisteredAsync(h.Db)).Keys.Should().BeEquivalentTo([HostWiring.BotMessages]);
            (await MeasureChecks.RowsAsync(h.Db, HostWiring.TokensUsed)).Should().Be((0L, 0L, 0L), "a measure no longer declared loses its rows");
            (await MeasureChecks.RowsAsync(h.Db, HostWiring.BotMessages)).Totals.Should().BePositive("the measure still declared keeps its rows");
            var bots = new LiveStatistics(h.Db, measures: LiveStatistics.HostMeasuresOver().Take(1).ToList());
            foreach (var mode in Modes)
            {
                await MeasureChecks.AssertExactAsync(cache, bots, h.Now, mode, "with tokens_used removed");
            }
        }

        // Re-added (the harness's own instance declares both): live until the next refresh, then built again.
        h.Advance(TimeSpan.FromMinutes(10));
        await MeasureChecks.SeedAsync(h.Data, new Random(10), h.Now.AddMinutes(-10), h.Now, 6);
        foreach (var mode in Modes)
        {
            // No refresh since these rows: a cached read of the re-added measure is of the host's rows as of now (it
            // reads live), of the built-in ones as of the last refresh — so compare each in the mode that is exact for both.
            if (mode != ReadMode.Cached)
            {
                await MeasureChecks.AssertExactAsync(h.Cache, both, h.Now, mode, "re-added, before the refresh");
            }
        }

        await h.Cache.RefreshAsync();
        (await MeasureChecks.RegisteredAsync(h.Db)).Keys.Should().BeEquivalentTo([HostWiring.BotMessages, HostWiring.TokensUsed]);
        foreach (var mode in Modes)
        {
            await MeasureChecks.AssertExactAsync(h.Cache, both, h.Now, mode, "re-added and rebuilt");
        }

        // Redefined: tokens_used now sums the bot's tokens only. Another fingerprint: read live, then rebuilt.
        var botTokens = new MeasureOptions { Name = HostWiring.TokensUsed, Aggregate = MeasureAggregate.Sum };
        botTokens.Source.Sql = "SELECT team_id, experiment_id, session_id, created_at, tokens AS value FROM chat_messages WHERE NOT is_human";
        await using var redefinedServices = h.NewInstance(o => o.Measures[1] = botTokens);
        var redefined = redefinedServices.GetRequiredService<IStatisticsCache>();
        var redefinedLive = new LiveStatistics(h.Db, measures:
        [
            LiveStatistics.HostMeasuresOver()[0],
            new LiveMeasure(HostWiring.TokensUsed, MeasureAggregate.Sum, "(SELECT team_id, experiment_id, session_id, created_at, tokens AS value FROM chat_messages WHERE NOT is_human)"),
        ]);
        await MeasureChecks.AssertExactAsync(redefined, redefinedLive, h.Now, ReadMode.Cached, "redefined, before the refresh: the new definition reads live");
        h.Advance(TimeSpan.FromMinutes(10));
        await redefined.RefreshAsync();
        (await MeasureChecks.RegisteredAsync(h.Db))[HostWiring.TokensUsed].Should().Be(MeasureChecks.FingerprintOf(botTokens)).And.NotBe(MeasureChecks.FingerprintOf(HostWiring.TokensUsedMeasure()));
        foreach (var mode in Modes)
        {
            await MeasureChecks.AssertExactAsync(redefined, redefinedLive, h.Now, mode, "redefined and rebuilt");
        }
    }
}

using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Reads;

namespace StatsCache.IntegrationTests.Measures;

/// <summary>
/// Deletions and changes of a measure's rows. With <see cref="SourceDeletions.Mirror"/> (privacy erasure) the measures
/// follow the host's rows down once their range is recomputed — by the refresh inside its window, by
/// <c>ReconcileAsync</c> beyond it — and then equal the live SQL exactly, like the built-in statistics. With the
/// default (keep history) a retention purge lowers nothing: a full backfill after it serves the same measures.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MeasureDeletionsTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 1, 25, 10, 0, 0, DateTimeKind.Utc);

    private static readonly ReadMode[] Modes = [ReadMode.Cached, ReadMode.RealTime, ReadMode.Live];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task MirroredMeasuresFollowDeletedChangedAndMovedRowsAfterRefreshAndReconcile(int seed)
    {
        var random = new Random(seed);
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.Deletions = SourceDeletions.Mirror, measures: true);
        await MeasureChecks.SeedAsync(h.Data, random, Start.AddDays(-50), Start, 50);
        await h.Cache.RefreshAsync();
        var log = new List<string>();
        var lowered = false;
        for (var step = 0; step < 12; step++)
        {
            h.Advance(TimeSpan.FromMinutes(random.Next(5, 60 * 30)));
            await MeasureChecks.SeedAsync(h.Data, random, h.Now.AddMinutes(-random.Next(2, 60)), h.Now, random.Next(1, 4));
            var before = await LiveTokensAsync(h);
            var (change, earliest) = await MutateAsync(h, random);
            log.Add($"{h.Now:O} {change}");
            lowered |= await LiveTokensAsync(h) < before;

            await h.Cache.RefreshAsync();
            if (random.Next(3) == 0)
            {
                await h.Cache.CompressAsync();
            }

            if (earliest is { } from)
            {
                var result = await h.Cache.ReconcileAsync(new ReconcileRequest { From = from, To = h.Now });
                log.Add($"reconcile [{result.From:O}, {result.To:O}): {result.Changes.Count} changed");
            }

            foreach (var mode in Modes)
            {
                await MeasureChecks.AssertExactAsync(h.Cache, h.Live, h.Now, mode, $"(seed {seed}, step {step}: {string.Join(" | ", log.TakeLast(3))})");
            }

            (await Reliability.Invariants.CoverageProblemsAsync(h.Db)).Should().BeEmpty("measure buckets stay aligned and sum to the totals (step {0})", step);
        }

        lowered.Should().BeTrue("some step lowers the tokens used or the bot messages, so the mirror is tested going down");
    }

    [Fact]
    public async Task AnErasedSessionsMeasuresReadAsZerosAndItsExperimentsGoDown()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.Deletions = SourceDeletions.Mirror, measures: true);
        var session = await h.Data.AddSessionAsync(1, 11, 101, Start.AddDays(-40));
        await h.Data.AddMessagesAsync(1, 11, session, [Start.AddDays(-40).AddMinutes(1), Start.AddDays(-40).AddMinutes(2)], human: false, tokens: [500, null]);
        var other = await h.Data.AddSessionAsync(1, 11, 102, Start.AddDays(-39));
        await h.Data.AddMessagesAsync(1, 11, other, [Start.AddDays(-39).AddMinutes(1)], human: false, tokens: [7]);
        await h.Cache.RefreshAsync();
        (await h.Cache.GetExperimentTotalsAsync(1, [11]))[11].Measures.Should().BeEquivalentTo(new Dictionary<string, long> { [HostWiring.BotMessages] = 3, [HostWiring.TokensUsed] = 507 });

        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE session_id = {session}; DELETE FROM chat_sessions WHERE id = {session}");
        await h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-41), To = Start.AddDays(-39).AddHours(-12) });

        (await h.Cache.GetExperimentTotalsAsync(1, [11]))[11].Measures.Should().BeEquivalentTo(new Dictionary<string, long> { [HostWiring.BotMessages] = 1, [HostWiring.TokensUsed] = 7 });
        foreach (var mode in Modes)
        {
            (await h.Cache.GetSessionTotalsAsync(1, [session], mode))[session].Should().BeEquivalentTo(
                SessionStats.Empty with { Measures = new Dictionary<string, long> { [HostWiring.BotMessages] = 0, [HostWiring.TokensUsed] = 0 } }, "an erased session reads as zeros ({0})", mode);
            await MeasureChecks.AssertExactAsync(h.Cache, h.Live, h.Now, mode, "after the erasure");
        }
    }

    [Fact]
    public async Task KeptHistoryMeasuresDoNotGoDownWhenOldRowsArePurgedAndBackfilled()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, measures: true);
        await MeasureChecks.SeedAsync(h.Data, new Random(4), Start.AddDays(-60), Start, 60);
        await h.Cache.RefreshAsync();
        var live = h.Live;
        await MeasureChecks.AssertExactAsync(h.Cache, live, h.Now, ReadMode.Cached, "before the purge");
        var kept = new Dictionary<long, (IReadOnlyDictionary<long, ExperimentStats> Experiments, IReadOnlyDictionary<long, SessionStats> Sessions)>();
        foreach (var team in MeasureChecks.Teams)
        {
            var experiments = (await live.ExperimentsAsync(team, h.Now)).Keys;
            var sessions = (await live.SessionsAsync(team, h.Now)).Keys;
            kept[team] = (await h.Cache.GetExperimentTotalsAsync(team, experiments), await h.Cache.GetSessionTotalsAsync(team, sessions));
        }

        // A retention purge: every bot message older than 20 days goes, and the tokens of older human messages are cleared.
        var cutoff = Start.AddDays(-20);
        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE NOT is_human AND created_at < '{cutoff:O}'; UPDATE chat_messages SET tokens = NULL WHERE created_at < '{cutoff:O}'");
        h.Advance(TimeSpan.FromHours(1));
        await h.Cache.BackfillAsync();
        await h.Cache.RefreshAsync();

        foreach (var team in MeasureChecks.Teams)
        {
            (await h.Cache.GetExperimentTotalsAsync(team, kept[team].Experiments.Keys)).Should().BeEquivalentTo(kept[team].Experiments, "kept history: a purge lowers no measure (team {0})", team);
            (await h.Cache.GetSessionTotalsAsync(team, kept[team].Sessions.Keys)).Should().BeEquivalentTo(kept[team].Sessions, "kept history: a purge lowers no session measure (team {0})", team);
        }

        kept.Values.SelectMany(k => k.Experiments.Values).Sum(s => s.Measures[HostWiring.BotMessages])
            .Should().BeGreaterThan((await live.ExperimentsAsync(1, h.Now)).Values.Concat((await live.ExperimentsAsync(2, h.Now)).Values).Sum(s => s.Measures[HostWiring.BotMessages]),
                "the purge removed bot messages the cache still counts");
    }

    /// <summary>
    /// Deletes a few bot messages, changes tokens, erases a whole session, or moves a session's messages to another
    /// experiment, somewhere in the last 50 days; returns what it did and the earliest time it touched when that is
    /// older than the refresh's window (null when the next refresh covers it).
    /// </summary>
    private static async Task<(string Change, DateTime? Earliest)> MutateAsync(CacheHarness h, Random random)
    {
        var team = MeasureChecks.Teams[random.Next(MeasureChecks.Teams.Length)];
        // A third of the changes touch only the rows written since the last refresh (the clock moved ≥ 5 minutes): the refresh's window.
        var recent = random.Next(3) == 0;
        var days = random.Next(1, 50);
        var from = recent ? h.Now.AddMinutes(-2) : h.Now.AddDays(-days - 1);
        var to = recent ? h.Now : h.Now.AddDays(-days);
        var window = $"team_id = {team} AND created_at >= '{from:O}' AND created_at < '{to:O}'";
        string change;
        switch (random.Next(4))
        {
            case 0:
                await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE id IN (SELECT id FROM chat_messages WHERE NOT is_human AND {window} ORDER BY id LIMIT 3)");
                change = $"deleted bot messages of team {team} in [{from:O}, {to:O})";
                break;
            case 1:
                await ExecuteAsync(h, $"UPDATE chat_messages SET tokens = CASE WHEN tokens IS NULL THEN 42 WHEN tokens > 100 THEN tokens / 2 ELSE NULL END WHERE {window}");
                change = $"changed tokens of team {team} in [{from:O}, {to:O})";
                break;
            case 2:
                await ExecuteAsync(h, $"""
                    WITH s AS (SELECT id FROM chat_sessions WHERE {window} ORDER BY id LIMIT 1)
                    , m AS (DELETE FROM chat_messages WHERE session_id IN (SELECT id FROM s))
                    DELETE FROM chat_sessions WHERE id IN (SELECT id FROM s)
                    """);
                change = $"erased a session of team {team} started in [{from:O}, {to:O})";
                from = from.AddDays(-1); // its messages may be a little later than its start, never earlier than a day before here
                to = to.AddDays(1);
                break;
            default:
                var target = (team * 10) + random.Next(1, 7);
                await ExecuteAsync(h, $"""
                    WITH s AS (SELECT id FROM chat_sessions WHERE {window} ORDER BY id DESC LIMIT 1)
                    , m AS (UPDATE chat_messages SET experiment_id = {target} WHERE session_id IN (SELECT id FROM s))
                    UPDATE chat_sessions SET experiment_id = {target} WHERE id IN (SELECT id FROM s)
                    """);
                change = $"moved a session of team {team} started in [{from:O}, {to:O}) to experiment {target}";
                from = from.AddDays(-1);
                to = to.AddDays(1);
                break;
        }

        return (change, recent ? null : from);
    }

    /// <summary>The tokens and bot messages of every team by the live SQL (a change lowered them when this goes down).</summary>
    private static async Task<long> LiveTokensAsync(CacheHarness h)
    {
        var total = 0L;
        foreach (var team in MeasureChecks.Teams)
        {
            total += (await h.Live.ExperimentsAsync(team, h.Now)).Values.Sum(s => s.Measures[HostWiring.TokensUsed] + s.Measures[HostWiring.BotMessages]);
        }

        return total;
    }

    private static async Task ExecuteAsync(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

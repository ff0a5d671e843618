using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StatsCache.Internal;
using StatsCache.Sql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Measures;

/// <summary>
/// Reads of the host-declared measures: every declared measure in every result (zero when nothing), cached from our
/// measure tables only when the measure is registered with its current fingerprint and the built-in gate holds,
/// real-time as cached plus the source's rows at or after the watermark, live from the source alone; another team's
/// ids read as zeros; the measures' statement rides in the built-in read's round trip. The maintenance of the measure
/// tables is not under test here: the cached path is seeded directly into our tables and the registry after a build.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MeasureReadTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 3, 4, 12, 0, 0, DateTimeKind.Utc);

    private static readonly string[] Names = ["bot_messages", "tokens_used"];

    /// <summary>
    /// Team 1: experiment 10, session A (2 human and 3 bot messages at T−5h; tokens 100 at T−5h and 50 at T−4h) and
    /// experiment 11, session B (bot messages only: 4 at T−3h). Team 2: experiment 20, session C (7 bot messages, tokens 999).
    /// Then a refresh builds the built-in cache; the measure tables and the registry are left empty.
    /// </summary>
    private static async Task<Fixture> CreateAsync(PostgresServer server)
    {
        var h = await CacheHarness.CreateAsync(server, Start, Declare);
        await h.ExecuteAsync("""
            CREATE TABLE model_calls (id bigserial PRIMARY KEY, team_id bigint NOT NULL, experiment_id bigint NOT NULL, session_id bigint NOT NULL, created_at timestamptz NOT NULL, tokens bigint);
            CREATE INDEX ON model_calls (created_at);
            CREATE INDEX ON model_calls (session_id, created_at);
            """);
        var a = await h.Data.AddSessionAsync(1, 10, 1, Start.AddHours(-5));
        await h.Data.AddMessagesAsync(1, 10, a, Start.AddHours(-5), 2);
        await h.Data.AddMessagesAsync(1, 10, a, [Start.AddHours(-5), Start.AddHours(-5), Start.AddHours(-5)], human: false);
        var b = await h.Data.AddSessionAsync(1, 11, 2, Start.AddHours(-3));
        await h.Data.AddMessagesAsync(1, 11, b, Enumerable.Repeat(Start.AddHours(-3), 4).ToList(), human: false);
        var c = await h.Data.AddSessionAsync(2, 20, 3, Start.AddHours(-4));
        await h.Data.AddMessagesAsync(2, 20, c, Enumerable.Repeat(Start.AddHours(-4), 7).ToList(), human: false);
        var f = new Fixture(h, a, b, c);
        await f.AddTokensAsync(1, 10, a, Start.AddHours(-5), 100);
        await f.AddTokensAsync(1, 10, a, Start.AddHours(-4), 50);
        await f.AddTokensAsync(1, 10, a, Start.AddHours(-4), null);
        await f.AddTokensAsync(2, 20, c, Start.AddHours(-4), 999);
        await h.Cache.RefreshAsync();

        // Whatever maintenance may do with the measures, these tests decide what our tables and the registry hold.
        await f.ClearMeasuresAsync();
        return f;
    }

    /// <summary>The two measures: bot messages (a count over a SELECT) and tokens used (a sum of a table's column).</summary>
    private static void Declare(StatisticsCacheOptions o)
    {
        var bots = new MeasureOptions { Name = "bot_messages" };
        bots.Source.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE NOT is_human";
        o.Measures.Add(bots);
        var tokens = new MeasureOptions { Name = "tokens_used", Aggregate = MeasureAggregate.Sum };
        (tokens.Source.Table, tokens.Source.ValueColumn) = ("model_calls", "tokens");
        o.Measures.Add(tokens);
    }

    [Fact]
    public async Task EveryModeReadsTheSourceLiveWhileNoMeasureIsRegistered()
    {
        await using var f = await CreateAsync(server);
        await f.SeedExperimentAsync(1, 10, "bot_messages", 12345); // rows of an unregistered measure are never read
        await f.SeedSessionAsync(1, f.A, 10, "bot_messages", 12345);

        foreach (var mode in Enum.GetValues<ReadMode>())
        {
            var experiments = await f.H.Cache.GetExperimentTotalsAsync(1, [10, 11, 999], mode);
            experiments[10].Measures.Should().Equal(Values(3, 150), mode.ToString());
            experiments[11].Measures.Should().Equal(Values(4, 0));
            experiments[999].Measures.Should().Equal(Values(0, 0), "an unknown id has every declared measure, at zero");
            experiments[10].HumanMessageCount.Should().Be(2, "the built-in statistics are unchanged");
            var sessions = await f.H.Cache.GetSessionTotalsAsync(1, [f.A, f.B, 999], mode);
            sessions[f.A].Measures.Should().Equal(Values(3, 150), mode.ToString());
            sessions[f.B].Measures.Should().Equal(Values(4, 0));
            sessions[999].Measures.Should().Equal(Values(0, 0));
        }
    }

    [Fact]
    public async Task ARegisteredMeasureIsCachedRealTimeAddsTheTailAndLiveIgnoresTheCache()
    {
        await using var f = await CreateAsync(server);
        await f.RegisterAsync("bot_messages", "tokens_used");
        await f.SeedExperimentAsync(1, 10, "bot_messages", 40);
        await f.SeedExperimentAsync(1, 10, "tokens_used", 1000);
        await f.SeedExperimentAsync(1, 11, "tokens_used", 7);
        await f.SeedSessionAsync(1, f.A, 10, "bot_messages", 41);
        await f.SeedSessionAsync(1, f.A, 10, "tokens_used", 1001);

        // Rows at or after the watermark: the tail of a real-time read.
        var watermark = (await f.H.Cache.GetStatusAsync()).Watermark!.Value;
        f.H.Advance(TimeSpan.FromMinutes(10));
        await f.H.Data.AddMessagesAsync(1, 10, f.A, [watermark, watermark.AddMinutes(1)], human: false);
        await f.AddTokensAsync(1, 10, f.A, watermark.AddMinutes(2), 5);
        await f.AddTokensAsync(1, 10, f.A, watermark.AddMinutes(-1), 100_000); // before the watermark: the cache's, not the tail's

        var cached = await f.H.Cache.GetExperimentTotalsAsync(1, [10, 11], ReadMode.Cached);
        cached[10].Measures.Should().Equal(Values(40, 1000));
        cached[11].Measures.Should().Equal(Values(0, 7), "a registered measure with no row reads zero, not live");
        var realTime = await f.H.Cache.GetExperimentTotalsAsync(1, [10, 11], ReadMode.RealTime);
        realTime[10].Measures.Should().Equal(Values(42, 1005));
        realTime[11].Measures.Should().Equal(Values(0, 7));
        var live = await f.H.Cache.GetExperimentTotalsAsync(1, [10, 11], ReadMode.Live);
        live[10].Measures.Should().Equal(Values(5, 100_155));
        live[11].Measures.Should().Equal(Values(4, 0));

        var sessions = await f.H.Cache.GetSessionTotalsAsync(1, [f.A, f.B], ReadMode.Cached);
        sessions[f.A].Measures.Should().Equal(Values(41, 1001));
        sessions[f.B].Measures.Should().Equal(Values(0, 0));
        (await f.H.Cache.GetSessionTotalsAsync(1, [f.A], ReadMode.RealTime))[f.A].Measures.Should().Equal(Values(43, 1006));
        (await f.H.Cache.GetSessionTotalsAsync(1, [f.A], ReadMode.Live))[f.A].Measures.Should().Equal(Values(5, 100_155));
    }

    [Fact]
    public async Task AMeasureRegisteredWithAnotherFingerprintReadsLiveWhileTheOthersAreCached()
    {
        await using var f = await CreateAsync(server);
        await f.RegisterAsync("tokens_used");
        await f.H.ExecuteAsync("INSERT INTO statscache_measures (cache_name, measure, fingerprint, built_at) VALUES ('default', 'bot_messages', 'an-older-definition', now())");
        await f.SeedExperimentAsync(1, 10, "bot_messages", 12345);
        await f.SeedExperimentAsync(1, 10, "tokens_used", 1000);

        foreach (var mode in new[] { ReadMode.Cached, ReadMode.RealTime })
        {
            (await f.H.Cache.GetExperimentTotalsAsync(1, [10], mode))[10].Measures.Should().Equal(Values(3, 1000), mode.ToString());
        }
    }

    [Fact]
    public async Task MeasuresReadLiveUntilTheCacheIsBuiltForTheTeam()
    {
        await using var f = await CreateAsync(server);
        await f.RegisterAsync("bot_messages", "tokens_used");
        await f.SeedExperimentAsync(3, 30, "bot_messages", 12345);

        // Team 3 has no built-in rows yet: the built-in gate reads it live, and so do its measures.
        var s = await f.H.Data.AddSessionAsync(3, 30, 9, Start.AddHours(-1));
        await f.H.Data.AddMessagesAsync(3, 30, s, [Start.AddHours(-1)], human: false);
        (await f.H.Cache.GetExperimentTotalsAsync(3, [30], ReadMode.Cached))[30].Measures.Should().Equal(Values(1, 0));

        // A cache table emptied: the gate fails, everything reads live, in one round trip more (the built-in fallback only).
        await f.H.ExecuteAsync("DELETE FROM statscache_experiment_buckets; DELETE FROM statscache_experiment_totals");
        (await f.H.Cache.GetExperimentTotalsAsync(1, [10], ReadMode.Cached))[10].Measures.Should().Equal(Values(3, 150));
    }

    [Fact]
    public async Task IdsOfAnotherTeamReadAsZerosInEveryMode()
    {
        await using var f = await CreateAsync(server);
        await f.RegisterAsync("bot_messages", "tokens_used");
        await f.SeedExperimentAsync(2, 20, "bot_messages", 7);
        await f.SeedSessionAsync(2, f.C, 20, "bot_messages", 7);
        await f.SeedBucketAsync(2, 20, "bot_messages", BucketSize.Hour, Start.AddHours(-4), 7);

        foreach (var mode in Enum.GetValues<ReadMode>())
        {
            var mine = await f.H.Cache.GetExperimentTotalsAsync(1, [20, 999], mode);
            mine[20].Should().BeEquivalentTo(mine[999], $"team 1 must not tell team 2's experiment from an unknown one ({mode})");
            mine[20].Measures.Should().Equal(Values(0, 0));
            var sessions = await f.H.Cache.GetSessionTotalsAsync(1, [f.C, 999], mode);
            sessions[f.C].Should().BeEquivalentTo(sessions[999], mode.ToString());
            sessions[f.C].Measures.Should().Equal(Values(0, 0));
        }

        (await f.H.Cache.GetExperimentTotalsAsync(2, [20], ReadMode.Cached))[20].Measures.Should().Equal(Values(7, 0), "team 2 reads its own");
        (await f.H.Cache.GetExperimentTotalsAsync(2, [20], ReadMode.Live))[20].Measures.Should().Equal(Values(7, 999));
        var request = new SeriesRequest { From = Start.AddDays(-1), To = Start, Granularity = BucketSize.Hour };
        (await f.H.Cache.GetExperimentSeriesAsync(1, [20], request))[20].Should().BeEmpty();
        (await f.H.Cache.GetSessionSeriesAsync(1, f.C, request)).Should().BeEmpty();
    }

    [Fact]
    public async Task PreparedAndUnpreparedReadsAgreeAcrossReusedConnections()
    {
        await using var f = await CreateAsync(server);
        await f.RegisterAsync("bot_messages");
        await f.SeedExperimentAsync(1, 10, "bot_messages", 40);
        await using var unprepared = f.H.NewInstance(o => { Declare(o); o.PrepareReads = false; });
        var plain = unprepared.GetRequiredService<IStatisticsCache>();

        for (var round = 0; round < 3; round++)
        {
            foreach (var cache in new[] { f.H.Cache, plain })
            {
                (await cache.GetExperimentTotalsAsync(1, [10], ReadMode.Cached))[10].Measures.Should().Equal(Values(40 + round, 150), $"round {round}");
                (await cache.GetExperimentTotalsAsync(1, [10], ReadMode.Live))[10].Measures.Should().Equal(Values(3, 150), $"round {round}");
            }

            await f.SeedExperimentAsync(1, 10, "bot_messages", 41 + round);
        }
    }

    [Fact]
    public async Task ExperimentSeriesPointsCarryTheMeasuresOfTheirSpan()
    {
        await using var f = await CreateAsync(server);
        var request = new SeriesRequest { From = Start.AddHours(-6), To = Start, Granularity = BucketSize.Hour, FillEmpty = true };

        // Not registered: live from the sources, per hour.
        var live = (await f.H.Cache.GetExperimentSeriesAsync(1, [10, 11], request));
        live[10].Should().HaveCount(6).And.OnlyContain(p => p.Measures.Keys.SequenceEqual(Names), "every point, zero-filled ones too, has every measure");
        Point(live[10], Start.AddHours(-5)).Measures.Should().Equal(Values(3, 100));
        Point(live[10], Start.AddHours(-5)).HumanMessageCount.Should().Be(2);
        Point(live[10], Start.AddHours(-4)).Measures.Should().Equal(Values(0, 50));
        Point(live[11], Start.AddHours(-3)).Measures.Should().Equal(Values(4, 0), "a span with bot messages and no human message has a point");
        Point(live[11], Start.AddHours(-3)).HumanMessageCount.Should().Be(0);
        live[10].Sum(p => p.Measures["bot_messages"]).Should().Be(3);

        // Registered: from the measure buckets, summed into days where finer.
        await f.RegisterAsync("bot_messages", "tokens_used");
        await f.SeedBucketAsync(1, 10, "bot_messages", BucketSize.Hour, Start.AddHours(-5), 30);
        await f.SeedBucketAsync(1, 10, "tokens_used", BucketSize.Hour, Start.AddHours(-5), 1000);
        await f.SeedBucketAsync(1, 10, "tokens_used", BucketSize.Hour, Start.AddHours(-2), 20);
        var cached = (await f.H.Cache.GetExperimentSeriesAsync(1, [10, 11], request));
        Point(cached[10], Start.AddHours(-5)).Measures.Should().Equal(Values(30, 1000));
        Point(cached[10], Start.AddHours(-4)).Measures.Should().Equal(Values(0, 0));
        Point(cached[10], Start.AddHours(-2)).Measures.Should().Equal(Values(0, 20));
        Point(cached[10], Start.AddHours(-2)).HumanMessageCount.Should().Be(0);
        cached[11].Should().OnlyContain(p => p.Measures.Values.All(v => v == 0), "no bucket of experiment 11: zeros, not live");

        var day = request with { From = Start.Date, To = Start.Date.AddDays(1), Granularity = BucketSize.Day, FillEmpty = false };
        var days = (await f.H.Cache.GetExperimentSeriesAsync(1, [10], day))[10];
        days.Should().ContainSingle().Which.Measures.Should().Equal(Values(30, 1020));

        // One measure registered with another definition: that one is live again, at the cached points' sizes.
        await f.H.ExecuteAsync("UPDATE statscache_measures SET fingerprint = 'stale' WHERE measure = 'tokens_used'");
        days = (await f.H.Cache.GetExperimentSeriesAsync(1, [10], day))[10];
        days.Should().ContainSingle().Which.Measures.Should().Equal(Values(30, 150));
    }

    [Fact]
    public async Task SessionSeriesPointsCarryTheSessionsMeasuresLive()
    {
        await using var f = await CreateAsync(server);
        var request = new SeriesRequest { From = Start.AddHours(-6), To = Start, Granularity = BucketSize.Hour };

        var points = await f.H.Cache.GetSessionSeriesAsync(1, f.A, request);
        points.Select(p => p.Start).Should().Equal(Start.AddHours(-5), Start.AddHours(-4));
        points[0].Measures.Should().Equal(Values(3, 100));
        points[0].HumanMessageCount.Should().Be(2);
        points[1].Measures.Should().Equal(Values(0, 50));
        points[1].HumanMessageCount.Should().Be(0);
        points[1].LastActivity.Should().BeNull("no human message in that hour");

        var filled = await f.H.Cache.GetSessionSeriesAsync(1, f.B, request with { FillEmpty = true });
        filled.Should().HaveCount(6).And.OnlyContain(p => p.Measures.Keys.SequenceEqual(Names));
        filled.Sum(p => p.Measures["bot_messages"]).Should().Be(4);
    }

    [Fact]
    public async Task ATotalsReadWithMeasuresIsOneRoundTrip()
    {
        await using var f = await CreateAsync(server);
        await f.RegisterAsync("bot_messages", "tokens_used");
        await using var services = f.H.NewInstance(o => { Declare(o); o.PrepareReads = false; });
        var cache = services.GetRequiredService<IStatisticsCache>();
        await cache.GetExperimentTotalsAsync(1, [10]); // opens the pooled connection

        var executions = new ConcurrentBag<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a => executions.Add(a.DisplayName),
        };
        ActivitySource.AddActivityListener(listener);

        foreach (var mode in Enum.GetValues<ReadMode>())
        {
            executions.Clear();
            (await cache.GetExperimentTotalsAsync(1, [10, 11], mode))[10].Measures.Should().ContainKeys(Names);
            executions.Where(IsExecution).Should().ContainSingle($"experiments, {mode}: one batch, not one per statement ({string.Join(", ", executions)})");
            executions.Clear();
            (await cache.GetSessionTotalsAsync(1, [f.A], mode))[f.A].Measures.Should().ContainKeys(Names);
            executions.Where(IsExecution).Should().ContainSingle($"sessions, {mode}");
        }

        executions.Clear();
        await cache.GetExperimentSeriesAsync(1, [10], new SeriesRequest { From = Start.AddDays(-1), To = Start, Granularity = BucketSize.Hour });
        executions.Where(IsExecution).Should().ContainSingle("experiment series");
        executions.Clear();
        await cache.GetSessionSeriesAsync(1, f.A, new SeriesRequest { From = Start.AddDays(-1), To = Start, Granularity = BucketSize.Hour });
        executions.Where(IsExecution).Should().ContainSingle("session series");
    }

    [Fact]
    public async Task ACachedReadOfServedMeasuresNeverScansTheirSources()
    {
        await using var f = await CreateAsync(server);
        await f.RegisterAsync("bot_messages", "tokens_used");
        var sql = f.H.Services.GetRequiredService<CacheEnvironment>().Sql;

        foreach (var (statement, ids) in new[] { (MeasureReadSql.ExperimentTotals(sql, ReadMode.Cached), new[] { 10L, 11L }), (MeasureReadSql.SessionTotals(sql, ReadMode.Cached), new[] { f.A, f.B }) })
        {
            await using var command = f.H.Db.CreateCommand("EXPLAIN (ANALYZE, FORMAT JSON) " + statement);
            command.Parameters.AddWithValue("team", 1L);
            command.Parameters.AddWithValue("ids", ids);
            command.Parameters.AddWithValue("cache", "default");
            using var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!);
            var scans = Nodes(plan.RootElement[0].GetProperty("Plan")).Where(n => n.TryGetProperty("Relation Name", out var r) && r.GetString() is "chat_messages" or "model_calls").ToList();
            scans.Should().NotBeEmpty("the live branch is planned (else the test proves nothing)");
            scans.Should().OnlyContain(n => n.GetProperty("Actual Loops").GetInt64() == 0, "the one-time filter keeps the live branch from running");
        }

        static IEnumerable<JsonElement> Nodes(JsonElement node) =>
            node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().SelectMany(Nodes).Prepend(node) : [node];
    }

    /// <summary>An Npgsql activity of a command or batch sent (not the opening of a physical connection).</summary>
    private static bool IsExecution(string name) => !name.Contains("open", StringComparison.OrdinalIgnoreCase);

    private static SeriesPoint Point(IReadOnlyList<SeriesPoint> points, DateTime start) => points.Single(p => p.Start == start);

    private static Dictionary<string, long> Values(long bots, long tokens) => new() { ["bot_messages"] = bots, ["tokens_used"] = tokens };

    private sealed record Fixture(CacheHarness H, long A, long B, long C) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => H.DisposeAsync();

        public Task AddTokensAsync(long team, long experiment, long session, DateTime at, long? tokens) =>
            H.ExecuteAsync("INSERT INTO model_calls (team_id, experiment_id, session_id, created_at, tokens) VALUES (@p0, @p1, @p2, @p3, @p4)", team, experiment, session, at, tokens);

        public Task ClearMeasuresAsync() => H.ExecuteAsync(
            "DELETE FROM statscache_measures; DELETE FROM statscache_experiment_measures; DELETE FROM statscache_experiment_measure_buckets; DELETE FROM statscache_session_measures");

        /// <summary>Registers the measures with their current fingerprints, as a build does.</summary>
        public async Task RegisterAsync(params string[] names)
        {
            foreach (var measure in H.Services.GetRequiredService<CacheEnvironment>().Sql.Measures.Where(m => names.Contains(m.Name)))
            {
                await H.ExecuteAsync("INSERT INTO statscache_measures (cache_name, measure, fingerprint, built_at) VALUES ('default', @p0, @p1, now())", measure.Name, measure.Fingerprint);
            }
        }

        public Task SeedExperimentAsync(long team, long experiment, string measure, long value) => H.ExecuteAsync(
            "INSERT INTO statscache_experiment_measures (team_id, experiment_id, measure, value, updated_at) VALUES (@p0, @p1, @p2, @p3, now()) ON CONFLICT (team_id, experiment_id, measure) DO UPDATE SET value = excluded.value",
            team, experiment, measure, value);

        public Task SeedSessionAsync(long team, long session, long experiment, string measure, long value) => H.ExecuteAsync(
            "INSERT INTO statscache_session_measures (team_id, session_id, measure, experiment_id, value, last_at, updated_at) VALUES (@p0, @p1, @p2, @p3, @p4, now(), now())",
            team, session, measure, experiment, value);

        public Task SeedBucketAsync(long team, long experiment, string measure, BucketSize size, DateTime start, long value) => H.ExecuteAsync(
            "INSERT INTO statscache_experiment_measure_buckets (team_id, experiment_id, measure, bucket_size, bucket_start, value, updated_at) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, now())",
            team, experiment, measure, (short)size, start, value);
    }
}

/// <summary>Plain SQL against the harness's database, parameters @p0, @p1, … in order.</summary>
internal static class MeasureReadTestSql
{
    public static async Task ExecuteAsync(this CacheHarness h, string sql, params object?[] parameters)
    {
        await using var command = h.Db.CreateCommand(sql);
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue("p" + i, parameters[i] ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync();
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Measures;

/// <summary>
/// The host-declared measures through every maintenance operation: after a refresh, a compression, a backfill (bulk
/// and chunked), a reconcile — keeping history and mirroring deletions — the rows of our measure tables equal live SQL
/// aggregates over the measures' sources (experiment totals, the buckets summed per experiment, each bucket, session
/// rows); and the registry step builds a measure added to a built cache, deletes a removed one and rebuilds a changed one.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MeasureMaintenanceTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>A measure as the test declares it and as the live SQL computes it.</summary>
    private sealed record Measure(string Name, MeasureAggregate Aggregate, string Sql)
    {
        public string LiveValue => Aggregate == MeasureAggregate.Count ? "count(*)" : "coalesce(sum(x.value), 0)::bigint";

        public void AddTo(StatisticsCacheOptions o)
        {
            var options = new MeasureOptions { Name = Name, Aggregate = Aggregate };
            options.Source.Sql = Sql;
            o.Measures.Add(options);
        }
    }

    private static readonly Measure BotMessages = new("bot_messages", MeasureAggregate.Count, "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE NOT is_human");

    private static readonly Measure Tokens = new("tokens_used", MeasureAggregate.Sum, "SELECT team_id, experiment_id, session_id, created_at, tokens AS value FROM chat_messages");

    private static readonly Measure[] Both = [BotMessages, Tokens];

    private static Action<StatisticsCacheOptions> With(IEnumerable<Measure> measures, Action<StatisticsCacheOptions>? more = null) => o =>
    {
        foreach (var m in measures)
        {
            m.AddTo(o);
        }

        more?.Invoke(o);
    };

    private static async Task<CacheHarness> CreateAsync(PostgresServer server, Action<StatisticsCacheOptions>? configure)
    {
        var h = await CacheHarness.CreateAsync(server, Start, configure);
        await ExecuteAsync(h.Db, "ALTER TABLE chat_messages ADD COLUMN IF NOT EXISTS tokens bigint");
        return h;
    }

    /// <summary>Eight months of sessions with human and bot messages: monthly, daily and hourly buckets; sessions spanning months.</summary>
    private static async Task SeedAsync(CacheHarness h)
    {
        for (var day = 240; day >= 0; day -= 4)
        {
            var at = Start.AddDays(-day).AddHours(-(day % 7));
            var (team, experiment) = (1 + (day % 2), 10 + (day % 3));
            var s = await h.Data.AddSessionAsync(team, experiment, day % 11, at);
            await h.Data.AddMessagesAsync(team, experiment, s, [at.AddMinutes(1), at.AddMinutes(3)], human: true);
            await h.Data.AddMessagesAsync(team, experiment, s, [.. Enumerable.Range(0, 1 + (day % 4)).Select(i => at.AddMinutes(2 + (i * 7)))], human: false);
            await h.Data.AddMessagesAsync(team, experiment, s, [at.AddDays(day % 40).AddMinutes(9)], human: false);
        }

        // A bot message before the first session and message: the backfill must start there.
        var early = await h.Data.AddSessionAsync(1, 10, 99, Start.AddDays(-250));
        await h.Data.AddMessagesAsync(1, 10, early, [Start.AddDays(-251)], human: false);
        await SetTokensAsync(h);
    }

    private static Task SetTokensAsync(CacheHarness h) =>
        ExecuteAsync(h.Db, "UPDATE chat_messages SET tokens = CASE WHEN id % 5 = 0 THEN NULL ELSE (id % 13) * 7 END WHERE tokens IS NULL");

    private static async Task AddBotMessagesAsync(CacheHarness h, long team, long experiment, long session, params DateTime[] times)
    {
        await h.Data.AddMessagesAsync(team, experiment, session, times, human: false);
        await SetTokensAsync(h);
    }

    [Fact]
    public async Task RefreshAndCompressionKeepTheMeasuresExactAndInTheBuiltInSizes()
    {
        await using var h = await CreateAsync(server, With(Both));
        await SeedAsync(h);

        (await h.Cache.RefreshAsync()).Initialized.Should().BeTrue();
        await AssertExactAsync(h, Both, "after the first build");
        (await RegisteredAsync(h)).Should().BeEquivalentTo(["bot_messages", "tokens_used"]);

        // New bot messages in the window and a new session; the refresh look-back re-reads them every run.
        h.Advance(TimeSpan.FromMinutes(40));
        var s = await h.Data.AddSessionAsync(2, 11, 5, h.Now.AddMinutes(-20));
        await AddBotMessagesAsync(h, 2, 11, s, h.Now.AddMinutes(-19), h.Now.AddMinutes(-18));
        await AddBotMessagesAsync(h, 1, 10, 1, h.Now.AddMinutes(-5));
        await h.Cache.RefreshAsync();
        await h.Cache.RefreshAsync();
        await AssertExactAsync(h, Both, "after refreshes");

        // Days later: hours roll up into days, days into months, measure buckets with them.
        for (var i = 0; i < 3; i++)
        {
            h.Advance(TimeSpan.FromDays(20));
            await AddBotMessagesAsync(h, 1, 12, s, h.Now.AddMinutes(-3));
            await h.Cache.RefreshAsync();
            await h.Cache.CompressAsync();
            await AssertExactAsync(h, Both, $"after compression {i}");
        }

        (await CountAsync(h.Db, "SELECT count(*) FROM statscache_experiment_measure_buckets WHERE bucket_size = 2 AND bucket_start >= @watermark - interval '60 days'", Start.AddDays(60)))
            .Should().BeGreaterThan(0, "hours of the first build were rolled up into days");
    }

    [Fact]
    public async Task TheBulkAndTheChunkedBuildStoreTheSameExactMeasureRows()
    {
        await using var h = await CreateAsync(server, With(Both));
        await SeedAsync(h);

        (await h.Cache.BackfillAsync()).Chunks.Should().Be(1, "the bulk first build");
        await AssertExactAsync(h, Both, "after the bulk build");
        var bulk = await DumpAsync(h.Db);

        await ExecuteAsync(h.Db, """
            DELETE FROM statscache_state; DELETE FROM statscache_measures;
            TRUNCATE statscache_experiment_buckets, statscache_experiment_totals, statscache_session_statistics, statscache_participant_first_seen,
                     statscache_experiment_measure_buckets, statscache_experiment_measures, statscache_session_measures;
            """);
        await using var chunkedServices = h.NewInstance(With(Both, o => o.BulkBuildMaxRows = 0));
        var chunkedCache = chunkedServices.GetRequiredService<IStatisticsCache>();
        (await chunkedCache.BackfillAsync()).Chunks.Should().BeGreaterThan(3);
        await AssertExactAsync(h, Both, "after the chunked build");
        (await DumpAsync(h.Db)).Should().Equal(bulk, "both builds store the same measure rows");

        // A rebuild over a built cache and a partial backfill merge chunk by chunk and stay exact.
        await chunkedCache.BackfillAsync();
        await chunkedCache.BackfillAsync(new BackfillRequest { ExperimentIds = [10] });
        await AssertExactAsync(h, Both, "after the chunked rebuilds");
    }

    [Fact]
    public async Task AReconcileAddsLateMeasureRowsBeyondTheLookBack()
    {
        await using var h = await CreateAsync(server, With(Both));
        await SeedAsync(h);
        await h.Cache.RefreshAsync();

        // Rows committed late with old timestamps: a month back (days), months back (months), and a new session.
        await AddBotMessagesAsync(h, 1, 10, 1, Start.AddDays(-3).AddHours(2), Start.AddDays(-100));
        var late = await h.Data.AddSessionAsync(2, 12, 3, Start.AddDays(-60));
        await AddBotMessagesAsync(h, 2, 12, late, Start.AddDays(-60).AddMinutes(1), Start.AddDays(-20));
        h.Advance(TimeSpan.FromMinutes(5));
        await h.Cache.RefreshAsync();
        await h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-120), To = h.Now });
        await AssertExactAsync(h, Both, "after the reconcile");

        // Verify's totals check agrees; a hand edit of a measure total is found and repaired.
        await ExecuteAsync(h.Db, "UPDATE statscache_experiment_measures SET value = value + 1 WHERE measure = 'tokens_used' AND experiment_id = 11");
        var verified = await h.Cache.VerifyAsync(new VerifyRequest { Repair = true });
        verified.RowsWritten.Should().BeGreaterThan(0);
        await AssertExactAsync(h, Both, "after verify's repair");
    }

    [Fact]
    public async Task MirroringDeletionsTheMeasuresFollowTheSourceDown()
    {
        await using var h = await CreateAsync(server, With(Both, o => o.Deletions = SourceDeletions.Mirror));
        await SeedAsync(h);
        await h.Cache.RefreshAsync();
        await AssertExactAsync(h, Both, "after the first build");

        // Old bot messages deleted (some sessions lose all of them, some buckets and experiments empty), tokens changed.
        await ExecuteAsync(h.Db, """
            DELETE FROM chat_messages WHERE NOT is_human AND (id % 3 = 0 OR experiment_id = 12 AND team_id = 2);
            UPDATE chat_messages SET tokens = tokens + 1 WHERE id % 4 = 0;
            """);
        await h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-260), To = h.Now });
        await AssertExactAsync(h, Both, "after the reconcile of everything");

        await ExecuteAsync(h.Db, "DELETE FROM chat_messages WHERE NOT is_human AND id % 2 = 0");
        await using var chunked = h.NewInstance(With(Both, o => { o.Deletions = SourceDeletions.Mirror; o.BulkBuildMaxRows = 0; }));
        await chunked.GetRequiredService<IStatisticsCache>().BackfillAsync();
        await AssertExactAsync(h, Both, "after a full chunked backfill");
    }

    [Fact]
    public async Task TheRegistryStepBuildsAddedMeasuresForgetsRemovedOnesAndRebuildsChangedOnes()
    {
        await using var h = await CreateAsync(server, configure: null);
        await SeedAsync(h);
        await h.Cache.RefreshAsync();
        (await CountAsync(h.Db, "SELECT count(*) FROM statscache_experiment_measure_buckets")).Should().Be(0, "no measure is declared");
        h.Advance(TimeSpan.FromDays(3));
        await h.Cache.RefreshAsync();
        await h.Cache.CompressAsync();

        // Both measures declared on the built cache: the health check names them until maintenance builds them.
        await using (var added = h.NewInstance(With(Both), s => s.AddHealthChecks().AddStatisticsCache(degradedAfter: TimeSpan.FromMinutes(10), unhealthyAfter: TimeSpan.FromHours(1))))
        {
            var health = added.GetRequiredService<HealthCheckService>();
            var before = await health.CheckHealthAsync();
            before.Status.Should().Be(HealthStatus.Degraded);
            before.Entries["statscache"].Description.Should().Contain("bot_messages").And.Contain("tokens_used");

            await added.GetRequiredService<IStatisticsCache>().RefreshAsync();
            (await health.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
            (await RegisteredAsync(h)).Should().BeEquivalentTo(["bot_messages", "tokens_used"]);
            await AssertExactAsync(h, Both, "after the registry step built the added measures");
        }

        // One removed: its rows and registration go at the next maintenance call (a compression here).
        await using (var removed = h.NewInstance(With([BotMessages])))
        {
            await removed.GetRequiredService<IStatisticsCache>().CompressAsync();
            (await RegisteredAsync(h)).Should().BeEquivalentTo(["bot_messages"]);
            foreach (var table in new[] { "statscache_experiment_measure_buckets", "statscache_experiment_measures", "statscache_session_measures" })
            {
                (await CountAsync(h.Db, $"SELECT count(*) FROM {table} WHERE measure = 'tokens_used'")).Should().Be(0, table);
            }

            await AssertExactAsync(h, [BotMessages], "the kept measure is untouched");
        }

        // Its definition changed: rebuilt over the whole history by the next reconcile, with the new fingerprint.
        var changed = BotMessages with { Sql = BotMessages.Sql + " AND session_id % 2 = 0" };
        var fingerprint = await ScalarAsync<string>(h.Db, "SELECT fingerprint FROM statscache_measures WHERE measure = 'bot_messages'");
        await using (var redefined = h.NewInstance(With([changed])))
        {
            await redefined.GetRequiredService<IStatisticsCache>().ReconcileAsync(new ReconcileRequest { From = h.Now.AddDays(-1), To = h.Now });
            (await ScalarAsync<string>(h.Db, "SELECT fingerprint FROM statscache_measures WHERE measure = 'bot_messages'")).Should().NotBe(fingerprint);
            await AssertExactAsync(h, [changed], "after the rebuild of the changed measure");
        }

        // Every measure removed: the next maintenance call forgets them all, so a measure declared again later is rebuilt
        // whole instead of served from rows that missed what happened in between.
        await h.Cache.RefreshAsync();
        (await RegisteredAsync(h)).Should().BeEmpty();
        (await CountAsync(h.Db, "SELECT count(*) FROM statscache_experiment_measure_buckets")).Should().Be(0);
        h.Advance(TimeSpan.FromHours(2));
        var late = await h.Data.AddSessionAsync(1, 10, 5, h.Now.AddMinutes(-30));
        await h.Data.AddMessagesAsync(1, 10, late, [h.Now.AddMinutes(-20), h.Now.AddMinutes(-10)], human: false);
        await h.Cache.RefreshAsync();
        await using (var again = h.NewInstance(With(Both)))
        {
            await again.GetRequiredService<IStatisticsCache>().RefreshAsync();
            (await RegisteredAsync(h)).Should().BeEquivalentTo(["bot_messages", "tokens_used"]);
            await AssertExactAsync(h, Both, "measures declared again after all were removed are rebuilt whole");
        }
    }

    [Fact]
    public async Task AFirstBuildInterruptedUnderAnotherDefinitionAndResumedWithNewMeasuresEndsExact()
    {
        // The interrupted run declares another bot_messages and no tokens_used; the resumed one declares both.
        var other = BotMessages with { Sql = BotMessages.Sql + " AND team_id = 1" };
        await using var h = await CreateAsync(server, With([other], o => o.BulkBuildMaxRows = 0));
        await SeedAsync(h);
        using var cancel = new CancellationTokenSource();
        var interrupted = () => h.Cache.BackfillAsync(progress: new StopAfter(3, cancel), cancellationToken: cancel.Token);
        await interrupted.Should().ThrowAsync<OperationCanceledException>();
        (await CountAsync(h.Db, "SELECT count(*) FROM statscache_experiment_measure_buckets")).Should().BeGreaterThan(0, "the first chunks wrote the other definition's rows");

        await using var resumedServices = h.NewInstance(With(Both, o => o.BulkBuildMaxRows = 0));
        (await resumedServices.GetRequiredService<IStatisticsCache>().BackfillAsync()).Resumed.Should().BeTrue();
        await AssertExactAsync(h, Both, "after the resumed build");
        (await RegisteredAsync(h)).Should().BeEquivalentTo(["bot_messages", "tokens_used"]);
    }

    /// <summary>Cancels a backfill after its <paramref name="chunks"/>-th chunk (reported synchronously, on the backfill's thread).</summary>
    private sealed class StopAfter(int chunks, CancellationTokenSource cancel) : IProgress<BackfillProgress>
    {
        public void Report(BackfillProgress value)
        {
            if (value.ChunksDone == chunks)
            {
                cancel.Cancel();
            }
        }
    }

    /// <summary>
    /// Our measure rows against live aggregates over the sources before the watermark: every experiment total, the
    /// buckets summed per experiment, every bucket over its own time range, every session row; no rows of undeclared
    /// measures; and no measure bucket at a size other than the built-in buckets' there.
    /// </summary>
    private static async Task AssertExactAsync(CacheHarness h, IReadOnlyList<Measure> measures, string because)
    {
        var watermark = await ScalarAsync<DateTime>(h.Db, "SELECT watermark FROM statscache_state");
        var names = string.Join(", ", measures.Select(m => $"'{m.Name}'"));
        string Live(string select, string groupBy) => string.Join("\nUNION ALL\n", measures.Select(m =>
            $"SELECT {select.Replace("@name", $"'{m.Name}'::text", StringComparison.Ordinal).Replace("@value", m.LiveValue, StringComparison.Ordinal)} FROM ({m.Sql}) AS x WHERE x.created_at < @watermark GROUP BY {groupBy}"));

        var liveTotals = await RowsAsync(h.Db, $"SELECT * FROM ({Live("x.team_id, x.experiment_id, @name, @value", "x.team_id, x.experiment_id")}) AS l ORDER BY 1, 2, 3", watermark);
        (await RowsAsync(h.Db, "SELECT team_id, experiment_id, measure::text, value FROM statscache_experiment_measures ORDER BY 1, 2, 3", watermark))
            .Should().Equal(liveTotals, $"experiment totals {because}");
        (await RowsAsync(h.Db, "SELECT team_id, experiment_id, measure::text, sum(value)::bigint FROM statscache_experiment_measure_buckets GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", watermark))
            .Should().Equal(liveTotals, $"buckets summed per experiment {because}");
        liveTotals.Should().NotBeEmpty();

        var liveSessions = await RowsAsync(h.Db, $"SELECT * FROM ({Live("x.team_id, x.session_id, @name, max(x.experiment_id), @value, max(x.created_at)", "x.team_id, x.session_id")}) AS l ORDER BY 1, 2, 3", watermark);
        (await RowsAsync(h.Db, "SELECT team_id, session_id, measure::text, experiment_id, value, last_at FROM statscache_session_measures ORDER BY 1, 2, 3", watermark))
            .Should().Equal(liveSessions, $"session rows {because}");

        // Each bucket over its own range (UTC: the harness's zone).
        foreach (var m in measures)
        {
            var wrong = await CountAsync(h.Db, $"""
                SELECT count(*) FROM statscache_experiment_measure_buckets AS b
                WHERE b.measure = '{m.Name}' AND b.value IS DISTINCT FROM (
                    SELECT {m.LiveValue} FROM ({m.Sql}) AS x
                    WHERE x.team_id = b.team_id AND x.experiment_id = b.experiment_id AND x.created_at < @watermark
                      AND x.created_at >= b.bucket_start
                      AND x.created_at < b.bucket_start + CASE b.bucket_size WHEN 1 THEN interval '1 hour' WHEN 2 THEN interval '1 day' ELSE interval '1 month' END)
                """, watermark);
            wrong.Should().Be(0, $"every {m.Name} bucket equals the source over its range {because}");
        }

        (await CountAsync(h.Db, $"SELECT count(*) FROM statscache_experiment_measure_buckets WHERE measure NOT IN ({names})", watermark)).Should().Be(0);

        // Sizes as the built-in buckets': nothing hourly before hourly_from, nothing daily before daily_from.
        (await CountAsync(h.Db, """
            SELECT count(*) FROM statscache_experiment_measure_buckets AS b, statscache_state AS s
            WHERE (b.bucket_size = 1 AND b.bucket_start < coalesce(s.hourly_from, '-infinity'))
               OR (b.bucket_size = 2 AND b.bucket_start < coalesce(s.daily_from, '-infinity'))
               OR (b.bucket_size < 3 AND b.bucket_start < coalesce(s.daily_from, '-infinity'))
               OR (b.bucket_size > 1 AND b.bucket_start >= coalesce(s.hourly_from, '-infinity'))
            """, watermark)).Should().Be(0, $"measure buckets have the policy's sizes {because}");
    }

    private static async Task<List<string>> RegisteredAsync(CacheHarness h)
    {
        var names = new List<string>();
        await using var command = h.Db.CreateCommand("SELECT measure FROM statscache_measures ORDER BY 1");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static async Task<List<string>> DumpAsync(NpgsqlDataSource db)
    {
        var rows = new List<string>();
        foreach (var query in new[]
                 {
                     "SELECT 'b', team_id, experiment_id, measure, bucket_size, bucket_start, value FROM statscache_experiment_measure_buckets ORDER BY 2, 3, 4, 5, 6",
                     "SELECT 't', team_id, experiment_id, measure, value FROM statscache_experiment_measures ORDER BY 2, 3, 4",
                     "SELECT 's', team_id, session_id, measure, experiment_id, value, last_at FROM statscache_session_measures ORDER BY 2, 3, 4",
                 })
        {
            rows.AddRange(await RowsAsync(db, query, DateTime.UtcNow));
        }

        return rows;
    }

    private static async Task<List<string>> RowsAsync(NpgsqlDataSource db, string sql, DateTime watermark)
    {
        var rows = new List<string>();
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddWithValue("watermark", watermark);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            rows.Add(string.Join("|", values.Select(v => v is DateTime d ? d.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource db, string sql, DateTime? watermark = null)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddWithValue("watermark", watermark ?? DateTime.UtcNow);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

using Microsoft.Extensions.DependencyInjection;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Storage;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// A cache with TimeZone = Europe/Berlin, driven by refresh and compress across the March and October
/// 2024 DST changes: day buckets start at Berlin midnight (23 and 25 hours long on the change days),
/// totals equal the live SQL, series points are Berlin days equal to the live numbers of their span.
/// And a built cache refuses another zone without changing anything.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TimeZoneTests(PostgresServer server)
{
    private const string Zone = "Europe/Berlin";
    private static readonly ReportingTimeZone Berlin = ReportingTimeZone.FromId(Zone);
    private static readonly TimeSpan Step = TimeSpan.FromHours(6);

    [Fact]
    public async Task RefreshAndCompressCutBerlinDaysAcrossBothDstChanges()
    {
        await using var h = await CacheHarness.CreateAsync(server, Utc(2024, 3, 28, 12), o => o.TimeZone = Zone);
        var random = new Random(3103);
        await SeedAsync(h, random, Utc(2024, 2, 20), h.Now, 80);
        await h.Cache.RefreshAsync();
        await h.AssertExactAsync(1, "after the first build");

        // Through the March change, refreshing and compressing every 6 hours.
        await RunUntilAsync(h, random, Utc(2024, 4, 3));
        var marchChange = await AssertDaysAsync(h, Utc(2024, 3, 30, 23), TimeSpan.FromHours(23));
        marchChange.Should().BeGreaterThan(0, "the 23-hour day has activity");
        await AssertSeriesAsync(h, new SeriesRequest { From = Utc(2024, 3, 24, 23), To = Utc(2024, 4, 1, 22), Granularity = BucketSize.Day });

        // Jump to the October change (March's days become a Berlin month), then step through it.
        await SeedAsync(h, random, h.Now, Utc(2024, 10, 25, 12), 40);
        h.Advance(Utc(2024, 10, 25, 12) - h.Now);
        await h.Cache.RefreshAsync();
        await h.Cache.CompressAsync();
        await h.AssertExactAsync(1, "after the jump");
        await RunUntilAsync(h, random, Utc(2024, 10, 30));
        var octoberChange = await AssertDaysAsync(h, Utc(2024, 10, 26, 22), TimeSpan.FromHours(25));
        octoberChange.Should().BeGreaterThan(0, "the 25-hour day has activity");
        await AssertSeriesAsync(h, new SeriesRequest { From = Utc(2024, 10, 19, 22), To = Utc(2024, 10, 28, 23), Granularity = BucketSize.Day });
        await AssertSeriesAsync(h, new SeriesRequest { From = Utc(2024, 1, 31, 23), To = Utc(2024, 9, 30, 22), Granularity = BucketSize.Month });

        var months = (await BucketsAsync(h)).Where(b => b.Size == BucketSize.Month).Select(b => b.Start).Distinct().ToList();
        months.Should().Contain(Utc(2024, 2, 29, 23), "March starts at Berlin midnight (CET)")
            .And.Contain(Utc(2024, 3, 31, 22), "April starts at Berlin midnight (CEST)")
            .And.OnlyContain(m => BucketCalendar.Floor(m, BucketSize.Month, Berlin) == m);
        var status = await h.Cache.GetStatusAsync();
        BucketCalendar.Floor(status.HourlyFrom!.Value, BucketSize.Day, Berlin).Should().Be(status.HourlyFrom, "the hourly cut-off is a Berlin midnight");
        BucketCalendar.Floor(status.DailyFrom!.Value, BucketSize.Month, Berlin).Should().Be(status.DailyFrom, "the daily cut-off is a Berlin first of month");
    }

    [Fact]
    public async Task ABuiltCacheRefusesAnotherZoneAndChangesNothing()
    {
        await using var h = await CacheHarness.CreateAsync(server, Utc(2024, 3, 28, 12));
        await SeedAsync(h, new Random(7), Utc(2024, 2, 20), h.Now, 40);
        await h.Cache.RefreshAsync();
        await h.Cache.CompressAsync();
        var before = await SnapshotAsync(h);
        (await StoredZoneAsync(h)).Should().Be("UTC", "a cache records the zone it is built in");

        await using var berlin = h.NewInstance(o => o.TimeZone = Zone);
        var cache = berlin.GetRequiredService<IStatisticsCache>();
        var attempts = new Func<Task>[]
        {
            () => cache.RefreshAsync(),
            () => cache.CompressAsync(),
            () => cache.BackfillAsync(),
            () => cache.GetExperimentSeriesAsync(1, [1], new SeriesRequest { From = Utc(2024, 3, 1), To = Utc(2024, 3, 28), Granularity = BucketSize.Day }),
        };
        foreach (var attempt in attempts)
        {
            (await attempt.Should().ThrowAsync<InvalidOperationException>())
                .WithMessage("*built with reporting time zone 'UTC'*TimeZone is 'Europe/Berlin'*nothing was done*rebuild*");
        }

        (await SnapshotAsync(h)).Should().Be(before, "a refused run writes nothing");

        // A row from before the zone was recorded (null) is a UTC cache, and is refused the same way.
        await ExecuteAsync(h, $"UPDATE {StorageTableNames.CacheState} SET time_zone = NULL");
        await cache.Invoking(c => c.RefreshAsync()).Should().ThrowAsync<InvalidOperationException>().WithMessage("*'UTC'*'Europe/Berlin'*");
        await h.Cache.RefreshAsync();

        // The documented rebuild: forget the state row, empty the tables; the next refresh builds it in Berlin.
        await ExecuteAsync(h, $"""
            DELETE FROM {StorageTableNames.CacheState};
            TRUNCATE {StorageTableNames.ExperimentBuckets}, {StorageTableNames.SessionStatistics}, {StorageTableNames.ParticipantFirstSeen};
            """);
        (await cache.RefreshAsync()).Initialized.Should().BeTrue();
        (await StoredZoneAsync(h)).Should().Be(Zone);
        await h.AssertExactAsync(1, "after the rebuild in Berlin");
        await h.Cache.Invoking(c => c.RefreshAsync()).Should().ThrowAsync<InvalidOperationException>().WithMessage("*built with reporting time zone 'Europe/Berlin'*TimeZone is 'UTC'*");
    }

    [Fact]
    public async Task ACacheWithNothingBuiltTakesTheConfiguredZone()
    {
        await using var h = await CacheHarness.CreateAsync(server, Utc(2024, 3, 28, 12));
        await h.Cache.CompressAsync(); // creates the state row (UTC) but builds nothing
        (await StoredZoneAsync(h)).Should().Be("UTC");

        await using var berlin = h.NewInstance(o => o.TimeZone = Zone);
        await SeedAsync(h, new Random(9), Utc(2024, 3, 1), h.Now, 20);
        await berlin.GetRequiredService<IStatisticsCache>().RefreshAsync();

        (await StoredZoneAsync(h)).Should().Be(Zone, "there was nothing to mix");
    }

    /// <summary>Adds activity up to <paramref name="until"/> in 6-hour steps, refreshing and compressing after each, exact after each.</summary>
    private static async Task RunUntilAsync(CacheHarness h, Random random, DateTime until)
    {
        while (h.Now < until)
        {
            await SeedAsync(h, random, h.Now, h.Now + Step, 6);
            h.Advance(Step);
            await h.Cache.RefreshAsync();
            await h.Cache.CompressAsync();
            await h.AssertExactAsync(1, $"at {h.Now:O}");
        }
    }

    /// <summary>
    /// Every day bucket starts at a Berlin midnight and ends at the next; the one starting at
    /// <paramref name="start"/> is <paramref name="length"/> long and holds exactly the live sessions of
    /// its span. Returns that count.
    /// </summary>
    private static async Task<long> AssertDaysAsync(CacheHarness h, DateTime start, TimeSpan length)
    {
        var buckets = await BucketsAsync(h);
        var days = buckets.Where(b => b.Size == BucketSize.Day).ToList();
        days.Should().NotBeEmpty().And.OnlyContain(b => BucketCalendar.Floor(b.Start, BucketSize.Day, Berlin) == b.Start && b.End == BucketCalendar.End(b.Start, BucketSize.Day, Berlin));
        var change = days.Where(b => b.Start == start).ToList();
        change.Should().NotBeEmpty("compression rolled the hours of the change day into a day bucket");
        change.Should().OnlyContain(b => b.End - b.Start == length);
        var sessions = change.Sum(b => (long)b.SessionCount);
        sessions.Should().Be(await LiveSessionsAsync(h, start, start + length), "the day bucket holds the sessions of its Berlin day");
        return sessions;
    }

    /// <summary>
    /// Series points of experiments 1–3 are Berlin days (or months) and each equals the live numbers over its span.
    /// The requests are whole Berlin days (months): a point cut by the request's end would hold only part of its span.
    /// </summary>
    private static async Task AssertSeriesAsync(CacheHarness h, SeriesRequest request)
    {
        var series = await h.Cache.GetExperimentSeriesAsync(1, [1, 2, 3], request with { FillEmpty = true });
        foreach (var (experiment, points) in series)
        {
            points.Should().NotBeEmpty();
            points.Zip(points.Skip(1)).Should().OnlyContain(p => p.First.End == p.Second.Start, "points are contiguous");
            foreach (var point in points)
            {
                point.Size.Should().Be(request.Granularity, "the range is kept at least this fine");
                BucketCalendar.Floor(point.Start, point.Size, Berlin).Should().Be(point.Start, "points start at Berlin boundaries");
                point.End.Should().Be(BucketCalendar.End(point.Start, point.Size, Berlin));
                var live = await LiveSpanAsync(h, experiment, point.Start, point.End);
                (point.SessionCount, point.NewParticipantCount, point.HumanMessageCount).Should().Be(live, "experiment {0}, point {1:O}–{2:O}", experiment, point.Start, point.End);
            }
        }
    }

    /// <summary>
    /// Sessions with a few human messages and returning participants in [from, to), half of them within
    /// minutes of a Berlin midnight (on both sides), where a UTC or wrong-offset cut would show.
    /// </summary>
    private static async Task SeedAsync(CacheHarness h, Random random, DateTime from, DateTime to, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var at = from.AddSeconds(random.NextInt64((long)(to - from).TotalSeconds));
            if (i % 2 == 0)
            {
                var midnight = BucketCalendar.Ceiling(at, BucketSize.Day, Berlin).AddMinutes(random.Next(-5, 5)).AddSeconds(random.Next(60));
                at = midnight >= from && midnight < to ? midnight : at;
            }

            var experiment = 1 + random.Next(3);
            var session = await h.Data.AddSessionAsync(1, experiment, 100 + random.Next(25), at);
            await h.Data.AddMessagesAsync(1, experiment, session, Enumerable.Range(0, random.Next(4)).Select(m => at.AddMinutes(m * 3)).Where(t => t < to).ToList());
        }
    }

    private static async Task<IReadOnlyList<BucketStats>> BucketsAsync(CacheHarness h)
    {
        var rows = new List<BucketStats>();
        foreach (var experiment in new long[] { 1, 2, 3 })
        {
            rows.AddRange(await h.Cache.GetExperimentBucketsAsync(1, experiment));
        }

        return rows;
    }

    private static async Task<long> LiveSessionsAsync(CacheHarness h, DateTime from, DateTime to)
    {
        await using var command = h.Db.CreateCommand("SELECT count(*) FROM chat_sessions WHERE team_id = 1 AND created_at >= @from AND created_at < @to");
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The live numbers of one experiment over a span, the way a dashboard would compute a chart.</summary>
    private static async Task<(long Sessions, long NewParticipants, long HumanMessages)> LiveSpanAsync(CacheHarness h, long experiment, DateTime from, DateTime to)
    {
        await using var command = h.Db.CreateCommand("""
            SELECT (SELECT count(*) FROM chat_sessions WHERE team_id = 1 AND experiment_id = @e AND created_at >= @from AND created_at < @to),
                   (SELECT count(*) FROM (SELECT participant_id, min(created_at) AS first FROM chat_sessions
                                          WHERE team_id = 1 AND experiment_id = @e AND participant_id IS NOT NULL GROUP BY 1) AS p
                    WHERE p.first >= @from AND p.first < @to),
                   (SELECT count(*) FROM chat_messages WHERE team_id = 1 AND experiment_id = @e AND is_human AND created_at >= @from AND created_at < @to)
            """);
        command.Parameters.AddWithValue("e", experiment);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static async Task<string?> StoredZoneAsync(CacheHarness h)
    {
        await using var command = h.Db.CreateCommand($"SELECT time_zone FROM {StorageTableNames.CacheState}");
        return (string?)await command.ExecuteScalarAsync();
    }

    /// <summary>Every row of the cache's tables, as text: equal snapshots mean nothing was written.</summary>
    private static async Task<string> SnapshotAsync(CacheHarness h)
    {
        await using var command = h.Db.CreateCommand($"""
            SELECT concat_ws(E'\n',
                (SELECT string_agg(t::text, E'\n' ORDER BY t::text) FROM {StorageTableNames.ExperimentBuckets} AS t),
                (SELECT string_agg(t::text, E'\n' ORDER BY t::text) FROM {StorageTableNames.SessionStatistics} AS t),
                (SELECT string_agg(t::text, E'\n' ORDER BY t::text) FROM {StorageTableNames.ParticipantFirstSeen} AS t),
                (SELECT string_agg(t::text, E'\n' ORDER BY t::text) FROM {StorageTableNames.CacheState} AS t),
                -- a refused call is recorded as a failed run (for the health check); it writes nothing else
                (SELECT string_agg(t::text, E'\n' ORDER BY t::text) FROM {StorageTableNames.MaintenanceRuns} AS t WHERE t.operation NOT LIKE '% failed'))
            """);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static DateTime Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, DateTimeKind.Utc);
}

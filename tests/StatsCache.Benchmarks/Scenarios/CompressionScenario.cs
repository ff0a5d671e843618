using StatsCache.Benchmarks.Host;
using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Benchmarks.Measurement;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>
/// Compression of one day's hourly buckets into daily ones, and of one month's daily buckets into a
/// monthly one. The clock is moved (no new traffic) to the first instant the policy allows each roll-up;
/// the buckets and the cache state are snapshotted before the first run and restored (not timed) before
/// every further run, so each run compresses exactly the same buckets.
/// </summary>
internal static class CompressionScenario
{
    private const string Buckets = CacheTableNames.ExperimentBuckets;
    private const string State = CacheTableNames.CacheState;

    public static async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        var scenario = context.Run.Scenario(
            "compression",
            "Compression: a day's hourly buckets, a month's daily buckets",
            "`CompressAsync()` with the default policy (hourly kept 1 day, daily 30 days). For the day, pinned to one calendar day: the cache is rebuilt " +
            "with the clock at the last midnight (not timed), so its hourly buckets are exactly the day before; the clock then moves a day and an hour on " +
            "(one refresh, not timed), so that whole day — and only it — becomes due. For the month: every remaining hour is rolled first " +
            "(not timed), then the clock moves to the first hour at which the oldest month of daily buckets becomes due. Before each timed run the buckets and " +
            "the cache state are restored from a snapshot and vacuumed (not timed), so every run rolls up the same rows. No baseline: the seed compresses per bucket in Python.");
        var day = scenario.Add("CompressAsync: one day of hourly → daily", SeriesRole.Subject);
        var month = scenario.Add("CompressAsync: one month of daily → monthly", SeriesRole.Info);

        // One calendar day, whatever the hour the data ends at: the cache is rebuilt (not timed) with the clock at
        // a midnight, so its hourly buckets are exactly the day before it; a day and an hour later (one refresh,
        // not timed) that whole day is due, and nothing else.
        // A host of its own, on a clock of its own (a fake clock cannot go back to that midnight).
        var midnight = DateTime.SpecifyKind(context.Host.Now.Date, DateTimeKind.Utc);
        await Host.CacheHost.ResetCacheAsync(context.Db, ct);
        await using var host = Host.CacheHost.Create(context.Db.ConnectionString, midnight);
        await host.Cache.BackfillAsync(null, null, ct);
        host.SetNow(midnight.AddDays(1).AddHours(1));
        await host.Cache.RefreshAsync(ct);
        await MeasureAsync(context, host.Cache, day, "hour", "day", ct);
        day.Notes["day rolled up"] = midnight.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var dailyFrom = await Db.ScalarAsync<DateTime>(context.Db, $"SELECT daily_from FROM {State} WHERE cache_name = 'default'", ct);
        var due = dailyFrom.AddMonths(1).AddDays(30).AddHours(1);
        host.SetNow(due.AddDays(-1));
        await host.Cache.RefreshAsync(ct);
        await host.Cache.CompressAsync(ct);
        host.SetNow(due);
        await host.Cache.RefreshAsync(ct);
        await MeasureAsync(context, host.Cache, month, "day", "month", ct);

        scenario.Targets.Add(TargetCheck.AtMost("one calendar day's hourly buckets ≤ 25 ms", day.Median, 25, Format.Ms));
    }

    private static async Task MeasureAsync(ScenarioContext context, IStatisticsCache cache, Series series, string from, string to, CancellationToken ct)
    {
        await Db.ExecuteAsync(context.Db, $"""
            DROP TABLE IF EXISTS bench_snapshot_buckets, bench_snapshot_state;
            CREATE TABLE bench_snapshot_buckets AS SELECT * FROM {Buckets};
            CREATE TABLE bench_snapshot_state AS SELECT * FROM {State};
            """, ct);
        var before = await CountsAsync(context);
        var after = before;
        long written = 0;
        for (var i = 0; i < context.Warmups + context.Runs; i++)
        {
            if (i > 0)
            {
                await Db.ExecuteAsync(context.Db, $"""
                    BEGIN;
                    TRUNCATE {Buckets}, {State};
                    INSERT INTO {Buckets} SELECT * FROM bench_snapshot_buckets;
                    INSERT INTO {State} SELECT * FROM bench_snapshot_state;
                    COMMIT;
                    """, ct);

                // Restored rows are fresh tuples: without this the timed run would set their hint bits and the
                // visibility map itself, work a host's buckets (written long before they are due) never pay again.
                await Db.ExecuteAsync(context.Db, $"VACUUM (ANALYZE) {Buckets}, {State}", ct);
            }

            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            var result = await cache.CompressAsync(ct);
            stopwatch.Stop();
            if (i >= context.Warmups)
            {
                series.Milliseconds.Add(stopwatch.Elapsed.TotalMilliseconds);
            }

            written = result.BucketsWritten;
            after = await CountsAsync(context);
        }

        series.Notes[$"{from} buckets rolled up"] = Format.Count(before.GetValueOrDefault(from) - after.GetValueOrDefault(from));
        series.Notes[$"{to} buckets written"] = Format.Count(written);
        context.Log($"compress {from} → {to}: {Format.Ms(series.Median)} ({series.Notes[$"{from} buckets rolled up"]} {from} buckets → {Format.Count(written)})");
    }

    private static async Task<Dictionary<string, long>> CountsAsync(ScenarioContext context)
    {
        await using var command = Db.Command(context.Db, $"SELECT bucket_size, count(*) FROM {Buckets} GROUP BY bucket_size");
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            // Stored as the BucketSize enum's value.
            counts[((BucketSize)reader.GetInt16(0)).ToString().ToLowerInvariant()] = reader.GetInt64(1);
        }

        return counts;
    }
}

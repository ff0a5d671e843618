using StatsCache.Benchmarks.Baselines;
using StatsCache.Benchmarks.Host;
using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Benchmarks.Measurement;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>
/// Full backfill from an empty cache (all buckets, per-session rows, first-seen rows) against the
/// lower bound: one GROUP BY experiment, hour over the same human messages that writes nothing, and
/// against the hand-written floor of the same build (<see cref="HandWrittenBuild"/>). Each run empties the
/// cache first (not timed); the scan, the backfill and the floor take turns.
/// </summary>
internal static class BackfillScenario
{
    public const string PlainScanSql = """
        SELECT count(*) FROM (
            SELECT experiment_id, date_trunc('hour', created_at, 'UTC'), count(*), max(created_at)
            FROM chat_messages WHERE is_human AND created_at < @now GROUP BY 1, 2
        ) AS t
        """;

    public static async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        var scenario = context.Run.Scenario(
            "backfill",
            "Full backfill vs a plain scan",
            "`BackfillAsync()` from an empty cache (its tables truncated before each run, not timed), with the clock at the end of the data: " +
            "monthly, daily and hourly experiment buckets, one row per session and the first-seen table. " +
            "Bound: `SELECT experiment_id, date_trunc('hour', created_at, 'UTC'), count(*), max(created_at) FROM chat_messages WHERE is_human GROUP BY 1, 2` " +
            "(wrapped in count(*) so no rows travel), which reads the same rows and writes nothing. " +
            "Bound: the hand-written build of the same tables (buckets at the same policy sizes, session rows with versions, first-seen, per-experiment totals) " +
            "into bare copies of our tables, indexes built after the load, `SET LOCAL timezone = 'UTC'` and 2-argument `date_trunc`, one transaction " +
            "(`Baselines/HandWrittenBuild.cs`); its rows are compared with the library's after the first run. The three take turns; the scan runs once first to warm the cache.");
        var backfill = scenario.Add("StatsCache BackfillAsync (from empty)", SeriesRole.Subject);
        var scan = scenario.Add("plain GROUP BY experiment, hour scan", SeriesRole.Bound);
        var floor = scenario.Add("hand-written three-table build (bare tables, indexes after)", SeriesRole.Bound);
        var floorVacuum = scenario.Add("hand-written build + VACUUM (ANALYZE) of its tables (as the library's build ends)", SeriesRole.Info);
        var now = context.Host.Now;

        await Db.ScalarAsync<long>(context.Db, PlainScanSql, ct, ("now", now));
        MemoryReading? peak = null;
        for (var i = 0; i < context.BackfillRuns; i++)
        {
            await Runner.TimeAsync(scan, () => Db.ScalarAsync<long>(context.Db, PlainScanSql, ct, ("now", now)));
            await CacheHost.ResetCacheAsync(context.Db, ct);
            var sampler = MemorySampler.Start();
            var result = await Runner.TimeAsync(backfill, () => context.Cache.BackfillAsync(null, null, ct));
            var reading = sampler.Stop("backfill");
            peak = peak is null || reading.PeakWorkingSet > peak.PeakWorkingSet ? reading : peak;
            backfill.Notes["chunks"] = result.Chunks.ToString(System.Globalization.CultureInfo.InvariantCulture);
            backfill.Notes["rows written"] = Format.Count(result.RowsWritten);

            var (dailyFrom, hourlyFrom) = await CutoffsAsync(context, ct);
            await HandWrittenBuild.PrepareAsync(context.Db, ct);
            await Runner.TimeAsync(floor, async () =>
            {
                await HandWrittenBuild.RunAsync(context.Db, now, dailyFrom, hourlyFrom, ct);
                return 0;
            });
            var vacuum = System.Diagnostics.Stopwatch.StartNew();
            await Db.ExecuteAsync(context.Db, "VACUUM (ANALYZE) bench_floor_buckets, bench_floor_totals, bench_floor_sessions, bench_floor_first_seen", ct);
            floorVacuum.Milliseconds.Add(floor.Milliseconds[^1] + vacuum.Elapsed.TotalMilliseconds);
            if (i == 0)
            {
                var differences = await Db.ScalarAsync<long>(context.Db, HandWrittenBuild.DifferencesSql, ct);
                scenario.Notes.Add(differences == 0
                    ? "The hand-written build produced exactly the library's rows (buckets, session rows, first-seen, totals)."
                    : $"The hand-written build differs from the library's tables in {differences} rows: the floor is not comparable.");
            }

            context.Log($"backfill {i + 1}/{context.BackfillRuns}: {Format.Ms(backfill.Milliseconds[^1])} ({result.Chunks} chunks, {Format.Count(result.RowsWritten)} rows), scan {Format.Ms(scan.Milliseconds[^1])}, hand-written build {Format.Ms(floor.Milliseconds[^1])}");
        }

        await HandWrittenBuild.DropAsync(context.Db, ct);

        context.Run.Memory.Add(peak!);
        var ratio = backfill.Median / scan.Median;
        scenario.Targets.Add(TargetCheck.AtMost("full backfill ≤ 1.3× the plain scan", ratio, 1.3, r => Format.Ratio(r) + " the scan"));
        scenario.Targets.Add(TargetCheck.AtMost("full backfill ≤ 1.2× the hand-written three-table build", backfill.Median / floor.Median, 1.2, r => Format.Ratio(r) + " the hand-written build"));
    }

    private static async Task<(DateTime DailyFrom, DateTime HourlyFrom)> CutoffsAsync(ScenarioContext context, CancellationToken ct)
    {
        await using var command = Db.Command(context.Db, "SELECT daily_from, hourly_from FROM statscache_state WHERE cache_name = 'default'");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetDateTime(0), reader.GetDateTime(1));
    }
}

using StatsCache.Benchmarks.Host;
using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Benchmarks.Measurement;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>
/// Full backfill from an empty cache (all buckets, per-session rows, first-seen rows) against the
/// lower bound: one GROUP BY experiment, hour over the same human messages that writes nothing.
/// Each run empties the cache first (not timed); the scan and the backfill take turns.
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
            "(wrapped in count(*) so no rows travel), which reads the same rows and writes nothing. The two take turns; the scan runs once first to warm the cache.");
        var backfill = scenario.Add("StatsCache BackfillAsync (from empty)", SeriesRole.Subject);
        var scan = scenario.Add("plain GROUP BY experiment, hour scan", SeriesRole.Bound);
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
            context.Log($"backfill {i + 1}/{context.BackfillRuns}: {Format.Ms(backfill.Milliseconds[^1])} ({result.Chunks} chunks, {Format.Count(result.RowsWritten)} rows), scan {Format.Ms(scan.Milliseconds[^1])}");
        }

        context.Run.Memory.Add(peak!);
        var ratio = backfill.Median / scan.Median;
        scenario.Targets.Add(TargetCheck.AtMost("full backfill ≤ 1.3× the plain scan", ratio, 1.3, r => Format.Ratio(r) + " the scan"));
    }
}

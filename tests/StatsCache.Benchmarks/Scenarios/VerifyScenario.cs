using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Benchmarks.Measurement;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>
/// The cost of <c>VerifyAsync</c> on a built, current cache — everything, and the last day — against
/// two bounds: the plain <c>GROUP BY experiment, hour</c> scan the backfill is measured against (the
/// issue's "one plain scan of the source"; the targets use it), and a bare count of the rows it compares
/// (sessions and human messages up to now), which reads the same rows and compares nothing. All four take
/// turns; the cache is exact here, so a verify that finds a differing range is reported as a mismatch
/// (the run then fails).
/// </summary>
internal static class VerifyScenario
{
    public const string PlainScanSql = """
        SELECT (SELECT count(*) FROM chat_sessions WHERE created_at < @now)
             + (SELECT count(*) FROM chat_messages WHERE is_human AND created_at < @now)
        """;

    public static async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        var scenario = context.Run.Scenario(
            "verify",
            "Verify (source vs cache per stored bucket range) vs a plain scan",
            "`VerifyAsync()` of everything up to the refresh window, and `VerifyAsync(VerifyRequest.LastDay())`, on the built cache after the refresh " +
            "scenario: per stored month/day/hour range, sessions and human messages (count, max) from index range scans on created_at, against the " +
            "sums of that range's buckets; repair on (nothing to repair: a differing range is a mismatch). Bound: " +
            "the plain `GROUP BY experiment, hour` scan of the human messages (as for the backfill; the targets use it), and a bare " +
            "`SELECT count(*) FROM chat_sessions` + `SELECT count(*) FROM chat_messages WHERE is_human` (up to now), which reads the same rows and " +
            "compares nothing. All four take turns; each bound runs once first to warm the cache.");
        var full = scenario.Add("StatsCache VerifyAsync (everything)", SeriesRole.Subject);
        var lastDay = scenario.Add("StatsCache VerifyAsync (last day)", SeriesRole.Subject);
        var plain = scenario.Add("plain GROUP BY experiment, hour scan", SeriesRole.Bound);
        var scan = scenario.Add("plain count of sessions + human messages", SeriesRole.Bound);
        var now = context.Host.Now;

        await Db.ScalarAsync<long>(context.Db, BackfillScenario.PlainScanSql, ct, ("now", now));
        await Db.ScalarAsync<long>(context.Db, PlainScanSql, ct, ("now", now));
        var mismatch = false;
        for (var i = 0; i < context.Warmups + context.Runs; i++)
        {
            var measured = i >= context.Warmups;
            var plainMs = await TimeAsync(() => Db.ScalarAsync<long>(context.Db, BackfillScenario.PlainScanSql, ct, ("now", now)));
            var scanMs = await TimeAsync(() => Db.ScalarAsync<long>(context.Db, PlainScanSql, ct, ("now", now)));
            var (fullMs, everything) = await TimeAsync(() => context.Cache.VerifyAsync(VerifyRequest.Everything(), ct));
            var (dayMs, day) = await TimeAsync(() => context.Cache.VerifyAsync(VerifyRequest.LastDay(), ct));
            foreach (var (series, result) in new[] { (full, everything), (lastDay, day) })
            {
                series.Notes["ranges compared"] = Format.Count(result.RangesChecked);
                if (result.Ranges.Count > 0 && !mismatch)
                {
                    var r = result.Ranges[0];
                    scenario.Notes.Add(Format.Invariant($"MISMATCH: verify found {result.Ranges.Count} ranges differing from the source, e.g. [{r.From:O}, {r.To:O}) source {r.Source.HumanMessageCount} messages, cache {r.Before.HumanMessageCount} — a correctness problem."));
                    mismatch = true;
                }
            }

            if (measured)
            {
                plain.Milliseconds.Add(plainMs);
                scan.Milliseconds.Add(scanMs);
                full.Milliseconds.Add(fullMs);
                lastDay.Milliseconds.Add(dayMs);
            }

            context.Log(Format.Invariant($"verify run {i + 1}{(measured ? "" : " (warm-up)")}: everything {Format.Ms(fullMs)} ({everything.RangesChecked} ranges), last day {Format.Ms(dayMs)}, plain scan {Format.Ms(plainMs)}, count {Format.Ms(scanMs)}"));
        }

        scenario.Targets.Add(TargetCheck.AtMost("full verify ≤ 1× the plain scan", full.Median / plain.Median, 1.0, r => Format.Ratio(r) + " the scan"));
        scenario.Targets.Add(TargetCheck.AtMost("last-day verify ≤ 0.05× the plain scan", lastDay.Median / plain.Median, 0.05, r => Format.Ratio(r) + " the scan"));
    }

    private static async Task<double> TimeAsync(Func<Task<long>> body)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await body();
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static async Task<(double, T)> TimeAsync<T>(Func<Task<T>> body)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var result = await body();
        return (stopwatch.Elapsed.TotalMilliseconds, result);
    }
}

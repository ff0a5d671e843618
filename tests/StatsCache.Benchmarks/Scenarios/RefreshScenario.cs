using System.Globalization;
using StatsCache.Benchmarks.Baselines;
using StatsCache.Benchmarks.Measurement;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>
/// Incremental refresh after one more hour of realistic traffic. Every run (warm-ups included) first
/// appends its own fresh hour (set-based, not timed) and moves the clock to its end; then StatsCache's
/// refresh and the three baselines take turns over the same data: the seed's set-based re-aggregation
/// of the last 24 hours, a full REFRESH MATERIALIZED VIEW, and the faithful port of the seed's loop.
/// </summary>
internal static class RefreshScenario
{
    public static async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        var scenario = context.Run.Scenario(
            "refresh",
            "Incremental refresh after one more hour of traffic",
            "Each run appends a fresh hour of traffic (new sessions and messages at the rate of the previous 24 hours, versions on a third of the bot replies; " +
            "set-based, not timed), moves the fake clock to the end of that hour, then times, in turn: StatsCache `RefreshAsync()` " +
            "(re-reads from watermark − look-back, i.e. the previous and the new hour); the seed's refresh as one set-based upsert of the last 24 hours " +
            "into hourly buckets (its own table); `REFRESH MATERIALIZED VIEW` of the per-experiment totals; and the faithful port of the seed's " +
            "per-experiment loop (experiments active in 24 h → 3 aggregate queries each → SELECT/INSERT/UPDATE per hourly bucket, autocommit). " +
            "Nothing is restored between runs: each run's hour is new data.");
        var cache = scenario.Add("StatsCache RefreshAsync", SeriesRole.Subject);
        var recent = scenario.Add("seed: re-aggregate last 24 h (set-based upsert)", SeriesRole.Baseline);
        var view = scenario.Add("REFRESH MATERIALIZED VIEW (full)", SeriesRole.Baseline);
        var loop = scenario.Add("seed: per-experiment loop (faithful port)", SeriesRole.Baseline);

        var hour = await context.Traffic.DataEndAsync(ct);
        var humanMessages = new List<long>();
        var cacheTrips = new List<int>();
        SeedLoop.Outcome? lastLoop = null;
        MemoryReading? peak = null;
        for (var i = 0; i < context.Warmups + context.Runs; i++)
        {
            var measured = i >= context.Warmups;
            var added = await context.Traffic.AppendHourAsync(hour, ct);
            hour = hour.AddHours(1);
            context.Host.SetNow(hour);

            var sampler = MemorySampler.Start();
            using (var trips = new RoundTripCounter())
            {
                var stopwatch = System.Diagnostics.Stopwatch.StartNew();
                var result = await context.Cache.RefreshAsync(ct);
                stopwatch.Stop();
                if (result.Skipped || result.Initialized)
                {
                    throw new InvalidOperationException($"Refresh did not run incrementally (skipped {result.Skipped}, initialized {result.Initialized}).");
                }

                if (measured)
                {
                    cache.Milliseconds.Add(stopwatch.Elapsed.TotalMilliseconds);
                    cache.Notes["rows written (last run)"] = Format.Count(result.RowsWritten);
                    cacheTrips.Add(trips.Count);
                    humanMessages.Add(added);
                }
            }

            var reading = sampler.Stop("refresh");
            if (measured)
            {
                peak = peak is null || reading.PeakWorkingSet > peak.PeakWorkingSet ? reading : peak;
            }

            var now = context.Host.Now;
            var recentMs = await TimeAsync(() => SeedRecentReaggregation.RunAsync(context.Db, now, ct));
            var viewMs = await TimeAsync(() => MaterializedView.RefreshAsync(context.Db, ct));
            var loopStopwatch = System.Diagnostics.Stopwatch.StartNew();
            lastLoop = await SeedLoop.RunAsync(context.Db, now, ct);
            var loopMs = loopStopwatch.Elapsed.TotalMilliseconds;
            if (measured)
            {
                recent.Milliseconds.Add(recentMs);
                view.Milliseconds.Add(viewMs);
                loop.Milliseconds.Add(loopMs);
            }

            context.Log(Format.Invariant($"refresh run {i + 1}{(measured ? "" : " (warm-up)")}: +{added} human messages; StatsCache {Format.Ms(cache.Milliseconds.LastOrDefault(double.NaN))}, 24 h {Format.Ms(recentMs)}, view {Format.Ms(viewMs)}, loop {Format.Ms(loopMs)} ({lastLoop.Statements} statements)"));
        }

        context.Run.Memory.Add(peak!);
        var medianMessages = humanMessages.Order().ElementAt(humanMessages.Count / 2);
        cache.Notes["human messages in the new hour (median)"] = Format.Count(medianMessages);
        cache.Notes["round trips per refresh (Npgsql commands/batches, median)"] = cacheTrips.Order().ElementAt(cacheTrips.Count / 2).ToString(CultureInfo.InvariantCulture);
        loop.Notes["experiments with activity in 24 h"] = Format.Count(lastLoop!.Experiments);
        loop.Notes["hourly buckets written"] = Format.Count(lastLoop.Buckets);
        loop.Notes["statements = round trips"] = Format.Count(lastLoop.Statements);

        cache.Notes["ms per 1,000 new human messages (median refresh / median messages)"] = Format.Ms(cache.Median / medianMessages * 1000);
        scenario.Targets.Add(TargetCheck.AtMost("≤ 60 ms", cache.Median, 60, Format.Ms));
        scenario.Targets.Add(TargetCheck.AtLeast("≥ 10× cheaper than re-aggregating 24 h", recent.Median / cache.Median, 10, r => Format.Ratio(r) + " cheaper"));
        scenario.Targets.Add(TargetCheck.AtLeast("≥ 100× cheaper than the seed loop", loop.Median / cache.Median, 100, r => Format.Ratio(r) + " cheaper"));
    }

    private static async Task<double> TimeAsync(Func<Task> body)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await body();
        return stopwatch.Elapsed.TotalMilliseconds;
    }
}

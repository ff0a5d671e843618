using System.Globalization;
using StatsCache.Benchmarks.Baselines;
using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Benchmarks.Measurement;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>
/// Incremental refresh after one more hour of realistic traffic. Every run (warm-ups included) first
/// appends its own fresh hour (set-based, not timed) and moves the clock to its end; then StatsCache's
/// refresh and its hand-written floor (<see cref="HandWrittenRefresh"/>, the same window into copies of our
/// tables; the two alternate which goes first) and the three baselines take turns over the same data: the
/// seed's set-based re-aggregation of the last 24 hours, a full REFRESH MATERIALIZED VIEW, and the faithful
/// port of the seed's loop.
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
            "(re-reads from watermark − look-back, i.e. the previous and the new hour); the hand-written set-based refresh of the same window into copies of " +
            "our four tables with our indexes (`Baselines/HandWrittenRefresh.cs`: first visits, hourly buckets with the totals moved by their difference, session rows; " +
            "it alternates with StatsCache's which goes first, and its rows are compared with the library's after the last run); the seed's refresh as one set-based upsert of the last 24 hours " +
            "into hourly buckets (its own table); `REFRESH MATERIALIZED VIEW` of the per-experiment totals; and the faithful port of the seed's " +
            "per-experiment loop (experiments active in 24 h → 3 aggregate queries each → SELECT/INSERT/UPDATE per hourly bucket, autocommit). " +
            "Nothing is restored between runs: each run's hour is new data.");
        var cache = scenario.Add("StatsCache RefreshAsync", SeriesRole.Subject);
        var floor = scenario.Add("hand-written set-based refresh (same window, same tables)", SeriesRole.Baseline);
        var recent = scenario.Add("seed: re-aggregate last 24 h (set-based upsert)", SeriesRole.Baseline);
        var view = scenario.Add("REFRESH MATERIALIZED VIEW (full)", SeriesRole.Baseline);
        var loop = scenario.Add("seed: per-experiment loop (faithful port)", SeriesRole.Baseline);

        var hour = await context.Traffic.DataEndAsync(ct);
        await HandWrittenRefresh.PrepareAsync(context.Db, ct);
        var floorWatermark = hour;
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

            // The floor re-reads what the library does: [watermark − look-back floored to the hour, now).
            var back = floorWatermark - LookBack;
            var floorFrom = new DateTime(back.Ticks - (back.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc);
            var floorTo = context.Host.Now;
            var floorFirst = i % 2 == 1;
            var floorMs = floorFirst ? await TimeAsync(() => HandWrittenRefresh.RunAsync(context.Db, floorFrom, floorTo, ct)) : 0;

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

                if (result.From != floorFrom || result.To != floorTo)
                {
                    throw new InvalidOperationException($"The hand-written refresh read [{floorFrom:O}, {floorTo:O}), the library [{result.From:O}, {result.To:O}): not comparable.");
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

            if (!floorFirst)
            {
                floorMs = await TimeAsync(() => HandWrittenRefresh.RunAsync(context.Db, floorFrom, floorTo, ct));
            }

            floorWatermark = floorTo;
            if (measured)
            {
                floor.Milliseconds.Add(floorMs);
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

            context.Log(Format.Invariant($"refresh run {i + 1}{(measured ? "" : " (warm-up)")}: +{added} human messages; StatsCache {Format.Ms(cache.Milliseconds.LastOrDefault(double.NaN))}, hand-written {Format.Ms(floorMs)}{(floorFirst ? " (first)" : "")}, 24 h {Format.Ms(recentMs)}, view {Format.Ms(viewMs)}, loop {Format.Ms(loopMs)} ({lastLoop.Statements} statements)"));
        }

        var differences = await Db.ScalarAsync<long>(context.Db, HandWrittenRefresh.DifferencesSql, ct);
        await HandWrittenRefresh.DropAsync(context.Db, ct);
        if (differences != 0)
        {
            throw new InvalidOperationException($"The hand-written refresh differs from the library's tables in {differences} rows: the floor is not comparable.");
        }

        scenario.Notes.Add("The hand-written refresh produced exactly the library's rows (buckets, session rows, first-seen, totals) after the last run.");
        context.Run.Memory.Add(peak!);
        var medianMessages = humanMessages.Order().ElementAt(humanMessages.Count / 2);
        cache.Notes["human messages in the new hour (median)"] = Format.Count(medianMessages);
        cache.Notes["round trips per refresh (Npgsql commands/batches, median)"] = cacheTrips.Order().ElementAt(cacheTrips.Count / 2).ToString(CultureInfo.InvariantCulture);
        loop.Notes["experiments with activity in 24 h"] = Format.Count(lastLoop!.Experiments);
        loop.Notes["hourly buckets written"] = Format.Count(lastLoop.Buckets);
        loop.Notes["statements = round trips"] = Format.Count(lastLoop.Statements);

        cache.Notes["ms per 1,000 new human messages (median refresh / median messages)"] = Format.Ms(cache.Median / medianMessages * 1000);
        floor.Notes["ms per 1,000 new human messages (median refresh / median messages)"] = Format.Ms(floor.Median / medianMessages * 1000);
        scenario.Targets.Add(TargetCheck.AtMost("≤ 60 ms", cache.Median, 60, Format.Ms));
        scenario.Targets.Add(TargetCheck.AtMost("≤ 1.2× the hand-written set-based refresh", cache.Median / floor.Median, 1.2, r => Format.Ratio(r) + " the hand-written refresh"));
        scenario.Targets.Add(TargetCheck.AtLeast("≥ 10× cheaper than re-aggregating 24 h", recent.Median / cache.Median, 10, r => Format.Ratio(r) + " cheaper"));
        scenario.Targets.Add(TargetCheck.AtLeast("≥ 100× cheaper than the seed loop", loop.Median / cache.Median, 100, r => Format.Ratio(r) + " cheaper"));
    }

    /// <summary>The library's default look-back, which the benchmark's host keeps.</summary>
    private static readonly TimeSpan LookBack = new StatisticsCacheOptions().LookBack;

    private static async Task<double> TimeAsync(Func<Task> body)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await body();
        return stopwatch.Elapsed.TotalMilliseconds;
    }
}

using System.Diagnostics;

namespace StatsCache.Benchmarks.Measurement;

/// <summary>
/// The harness: warm-ups, then N runs in which the variants take turns (interleaved, so a slow
/// minute on this shared machine hits all of them alike). Stopwatch around the awaited call,
/// which includes the round trip and reading every row, as a page load would.
/// </summary>
internal static class Runner
{
    public static async Task InterleavedAsync(
        int warmups,
        int runs,
        IReadOnlyList<(Series Series, Func<CancellationToken, Task> Body)> variants,
        Action<string> log,
        CancellationToken ct)
    {
        for (var i = 0; i < warmups + runs; i++)
        {
            foreach (var (series, body) in variants)
            {
                var stopwatch = Stopwatch.StartNew();
                await body(ct);
                stopwatch.Stop();
                if (i >= warmups)
                {
                    series.Milliseconds.Add(stopwatch.Elapsed.TotalMilliseconds);
                }
            }
        }

        log(string.Join(", ", variants.Select(v => $"{v.Series.Name}: {Format.Ms(v.Series.Median)}")));
    }

    public static async Task<T> TimeAsync<T>(Series series, Func<Task<T>> body)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await body();
        series.Milliseconds.Add(stopwatch.Elapsed.TotalMilliseconds);
        return result;
    }
}

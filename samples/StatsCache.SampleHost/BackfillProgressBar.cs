using System.Globalization;
using Spectre.Console;

namespace StatsCache.SampleHost;

/// <summary>
/// The backfill command's progress bar, drawn by Spectre.Console: on a terminal a live bar with the
/// rows written, the time taken and the time left; when the output is redirected (a log file, CI) one
/// line per committed chunk, so the log shows how far a backfill got. The library reports after each
/// committed chunk; the command asks for small chunks (<c>--chunk-rows</c>) so the bar moves smoothly.
/// </summary>
internal static class BackfillProgressBar
{
    public static async Task<BackfillResult> RunAsync(Func<IProgress<BackfillProgress>, Task<BackfillResult>> backfill)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            return await backfill(new LineProgress());
        }

        BackfillResult result = null!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("backfill: starting", maxValue: 1);
                result = await backfill(new TaskProgress(task));
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Reports arrive synchronously on the backfill's own thread (a <see cref="Progress{T}"/> would post them to the thread pool, out of order).</summary>
    private sealed class TaskProgress(ProgressTask task) : IProgress<BackfillProgress>
    {
        public void Report(BackfillProgress value)
        {
            task.MaxValue = Math.Max(1, value.ChunksTotal);
            task.Value = value.ChunksDone;
            task.Description = string.Create(CultureInfo.InvariantCulture,
                $"chunk {value.ChunksDone}/{value.ChunksTotal}, done until {value.DoneUntil:yyyy-MM-dd HH:mm}, {value.RowsWritten:N0} rows");
        }
    }

    private sealed class LineProgress : IProgress<BackfillProgress>
    {
        public void Report(BackfillProgress value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{value.Fraction,4:P0}  chunk {value.ChunksDone}/{value.ChunksTotal}, done until {value.DoneUntil:yyyy-MM-dd HH:mm} UTC, {value.RowsWritten:N0} rows"));
    }
}

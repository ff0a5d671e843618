using System.Globalization;
using StatsCache.Maintenance;

namespace StatsCache.SampleHost;

/// <summary>
/// The backfill command's progress bar. On a terminal it redraws one line in place after each
/// committed chunk; when the output is redirected (a log file, CI) it prints one line per chunk, so
/// the log shows how far a backfill got. Reports arrive synchronously on the backfill's own thread
/// (a <see cref="Progress{T}"/> would post them to the thread pool, out of order).
/// </summary>
internal sealed class BackfillProgressBar : IProgress<BackfillProgress>
{
    private const int Width = 30;
    private readonly bool _inPlace = !Console.IsOutputRedirected;
    private int _lastLength;

    public void Report(BackfillProgress value)
    {
        var filled = (int)Math.Round(value.Fraction * Width);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', Width - filled)}] {value.Fraction,4:P0}  chunk {value.ChunksDone}/{value.ChunksTotal}, done until {value.DoneUntil:yyyy-MM-dd HH:mm}, {value.RowsWritten:N0} rows");
        if (_inPlace)
        {
            // Pad over the previous line in case this one is shorter.
            Console.Write("\r" + line.PadRight(_lastLength));
            _lastLength = line.Length;
        }
        else
        {
            Console.WriteLine(line);
        }
    }

    /// <summary>Ends the in-place line, so what follows starts on a line of its own.</summary>
    public void Finish()
    {
        if (_inPlace && _lastLength > 0)
        {
            Console.WriteLine();
            _lastLength = 0;
        }
    }
}

namespace StatsCache.Policy;

/// <summary>
/// How many source rows (sessions plus human messages) each UTC hour of a range holds, and the most
/// one maintenance transaction should read. Counted by one set-based statement before chunking.
/// </summary>
internal sealed class ChunkVolume
{
    private readonly DateTime[] _hours;
    private readonly long[] _before; // _before[i] = rows in the hours before _hours[i]

    /// <param name="rowsPerHour">Rows per UTC hour start; hours not listed hold none.</param>
    /// <param name="maxRowsPerChunk">The most rows one chunk should hold (at least 1).</param>
    public ChunkVolume(IEnumerable<KeyValuePair<DateTime, long>> rowsPerHour, long maxRowsPerChunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRowsPerChunk, 1);
        MaxRowsPerChunk = maxRowsPerChunk;
        var sorted = rowsPerHour.OrderBy(p => p.Key).ToArray();
        _hours = sorted.Select(p => p.Key).ToArray();
        _before = new long[sorted.Length + 1];
        for (var i = 0; i < sorted.Length; i++)
        {
            _before[i + 1] = _before[i] + sorted[i].Value;
        }
    }

    public long MaxRowsPerChunk { get; }

    /// <summary>Rows of the hours starting in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public long Rows(DateTime from, DateTime to) => _before[Index(to)] - _before[Index(from)];

    private int Index(DateTime at)
    {
        var i = Array.BinarySearch(_hours, at);
        return i >= 0 ? i : ~i;
    }
}

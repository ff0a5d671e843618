namespace StatsCache;

/// <summary>Progress of a backfill, reported after each committed chunk.</summary>
public sealed record BackfillProgress
{
    /// <summary>Chunks committed so far in this call.</summary>
    public int ChunksDone { get; init; }

    /// <summary>Chunks this call has to do.</summary>
    public int ChunksTotal { get; init; }

    /// <summary>Everything before this instant is committed.</summary>
    public required DateTime DoneUntil { get; init; }

    /// <summary>End of the backfill range.</summary>
    public required DateTime To { get; init; }

    /// <summary>Rows written so far in this call.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Fraction done, 0 to 1.</summary>
    public double Fraction => ChunksTotal == 0 ? 1 : (double)ChunksDone / ChunksTotal;
}

namespace StatsCache;

/// <summary>What a backfill did.</summary>
public sealed record BackfillResult
{
    /// <summary>It continued an interrupted backfill of the same request.</summary>
    public bool Resumed { get; init; }

    /// <summary>Start of the recomputed range; null if the source was empty.</summary>
    public DateTime? From { get; init; }

    /// <summary>End of the recomputed range ("now" when the backfill started).</summary>
    public required DateTime To { get; init; }

    /// <summary>Chunks (transactions) committed.</summary>
    public int Chunks { get; init; }

    /// <summary>Rows written.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Wall time.</summary>
    public TimeSpan Duration { get; init; }
}

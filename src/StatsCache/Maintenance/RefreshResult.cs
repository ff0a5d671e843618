namespace StatsCache;

/// <summary>What a refresh did.</summary>
public sealed record RefreshResult
{
    /// <summary>Another instance held the maintenance lock; nothing was done (the other run covers it).</summary>
    public bool Skipped { get; init; }

    /// <summary>The cache had never been built, so this refresh ran (or resumed) the full backfill.</summary>
    public bool Initialized { get; init; }

    /// <summary>Start of the re-read range (watermark minus look-back, hour-aligned); null when skipped.</summary>
    public DateTime? From { get; init; }

    /// <summary>End of the re-read range: "now" from the cache's <see cref="TimeProvider"/>, the new watermark.</summary>
    public required DateTime To { get; init; }

    /// <summary>Bucket, session and first-seen rows written.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Wall time.</summary>
    public TimeSpan Duration { get; init; }
}

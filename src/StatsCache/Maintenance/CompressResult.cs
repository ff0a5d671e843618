namespace StatsCache;

/// <summary>What a compression did.</summary>
public sealed record CompressResult
{
    /// <summary>Another instance held the maintenance lock, or the cache was never built; nothing was done.</summary>
    public bool Skipped { get; init; }

    /// <summary>Daily and monthly buckets written by the roll-up (the finer buckets they replace are deleted).</summary>
    public long BucketsWritten { get; init; }

    /// <summary>Everything before this instant is now in monthly buckets.</summary>
    public DateTime? DailyFrom { get; init; }

    /// <summary>Everything before this instant is now in daily or monthly buckets.</summary>
    public DateTime? HourlyFrom { get; init; }

    /// <summary>Wall time.</summary>
    public TimeSpan Duration { get; init; }
}

namespace StatsCache;

/// <summary>The health of a cache, for an admin page or a health check.</summary>
public sealed record CacheStatus
{
    /// <summary>Source rows created before this instant are counted; null if the cache was never built.</summary>
    public DateTime? Watermark { get; init; }

    /// <summary>How far the watermark is behind now; null if never built. Grows only when refresh stops running, not when no new data arrives.</summary>
    public TimeSpan? WatermarkLag { get; init; }

    /// <summary>Monthly buckets end here.</summary>
    public DateTime? DailyFrom { get; init; }

    /// <summary>Daily buckets end here; hourly buckets start here.</summary>
    public DateTime? HourlyFrom { get; init; }

    /// <summary>Number of experiment buckets per size.</summary>
    public required IReadOnlyDictionary<BucketSize, long> BucketCounts { get; init; }

    /// <summary>Number of per-session rows.</summary>
    public long SessionRows { get; init; }

    /// <summary>An interrupted or running backfill has not finished; the next backfill resumes it.</summary>
    public bool BackfillInProgress { get; init; }

    /// <summary>The latest maintenance runs, newest first.</summary>
    public required IReadOnlyList<RunInfo> RecentRuns { get; init; }
}

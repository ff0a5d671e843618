using StatsCache.Policy;

namespace StatsCache.Reads;

/// <summary>The health of a cache, for an admin page or a health check.</summary>
/// <param name="Watermark">Source rows created before this instant are counted; null if the cache was never built.</param>
/// <param name="WatermarkLag">How far the watermark is behind now; null if never built. Grows only when refresh stops running, not when no new data arrives.</param>
/// <param name="DailyFrom">Monthly buckets end here.</param>
/// <param name="HourlyFrom">Daily buckets end here; hourly buckets start here.</param>
/// <param name="BucketCounts">Number of experiment buckets per size.</param>
/// <param name="SessionRows">Number of per-session rows.</param>
/// <param name="BackfillInProgress">An interrupted or running backfill has not finished; the next backfill resumes it.</param>
/// <param name="RecentRuns">The latest maintenance runs, newest first.</param>
public sealed record CacheStatus(
    DateTime? Watermark,
    TimeSpan? WatermarkLag,
    DateTime? DailyFrom,
    DateTime? HourlyFrom,
    IReadOnlyDictionary<BucketSize, long> BucketCounts,
    long SessionRows,
    bool BackfillInProgress,
    IReadOnlyList<RunInfo> RecentRuns);

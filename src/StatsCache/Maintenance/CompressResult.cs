namespace StatsCache.Maintenance;

/// <summary>What a compression did.</summary>
/// <param name="Skipped">Another instance held the maintenance lock, or the cache was never built; nothing was done.</param>
/// <param name="BucketsWritten">Daily and monthly buckets written by the roll-up (the finer buckets they replace are deleted).</param>
/// <param name="DailyFrom">Everything before this instant is now in monthly buckets.</param>
/// <param name="HourlyFrom">Everything before this instant is now in daily or monthly buckets.</param>
/// <param name="Duration">Wall time.</param>
public sealed record CompressResult(bool Skipped, long BucketsWritten, DateTime? DailyFrom, DateTime? HourlyFrom, TimeSpan Duration);

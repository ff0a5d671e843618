namespace StatsCache.Policy;

/// <summary>
/// Where the bucket sizes change at a given moment: hourly buckets start at <see cref="HourlyFrom"/>,
/// daily buckets cover [<see cref="DailyFrom"/>, <see cref="HourlyFrom"/>), monthly buckets everything before.
/// Both cut-offs are whole days / months, so compression only ever rolls up complete buckets.
/// </summary>
/// <param name="DailyFrom">First instant kept in daily (not monthly) buckets; a month boundary.</param>
/// <param name="HourlyFrom">First instant kept in hourly (not daily) buckets; a day boundary.</param>
internal readonly record struct RetentionCutoffs(DateTime DailyFrom, DateTime HourlyFrom)
{
    /// <summary>
    /// The cut-offs at <paramref name="now"/> for a cache whose refresh may still rewrite
    /// everything from <paramref name="rewritableFrom"/> on (watermark minus look-back):
    /// nothing the refresh may rewrite is ever rolled up. The cut-offs are days and months of
    /// <paramref name="zone"/> (null: UTC).
    /// </summary>
    public static RetentionCutoffs At(DateTime now, DateTime rewritableFrom, TimeSpan hourlyRetention, TimeSpan dailyRetention, ReportingTimeZone? zone = null)
    {
        UtcGuard.Require(now, nameof(now));
        UtcGuard.Require(rewritableFrom, nameof(rewritableFrom));
        var hourlyFrom = BucketCalendar.Floor(Min(now - hourlyRetention, rewritableFrom), BucketSize.Day, zone);
        var dailyFrom = BucketCalendar.Floor(Min(now - dailyRetention, hourlyFrom), BucketSize.Month, zone);
        return new RetentionCutoffs(dailyFrom, hourlyFrom);
    }

    /// <summary>
    /// These cut-offs, never earlier than what is already stored: once a range is rolled up it
    /// cannot be split again, so the cut-offs only move forward (even if the policy is loosened).
    /// </summary>
    public RetentionCutoffs AtLeast(DateTime? dailyFrom, DateTime? hourlyFrom) => new(
        dailyFrom is { } d && d > DailyFrom ? d : DailyFrom,
        hourlyFrom is { } h && h > HourlyFrom ? h : HourlyFrom);

    /// <summary>The bucket size the policy keeps for an instant.</summary>
    public BucketSize SizeAt(DateTime utc) =>
        utc >= HourlyFrom ? BucketSize.Hour : utc >= DailyFrom ? BucketSize.Day : BucketSize.Month;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}

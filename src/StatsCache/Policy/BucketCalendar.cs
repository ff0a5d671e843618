using StatsCache.Policy;

namespace StatsCache;

/// <summary>
/// Calendar arithmetic for bucket boundaries. An hour starts where <c>date_trunc('hour', ts, 'UTC')</c>
/// says it does; a day or a month where <c>date_trunc(unit, ts, zone)</c> does in the cache's
/// <see cref="ReportingTimeZone"/> (UTC when none is given), so C# and SQL always agree.
/// </summary>
public static class BucketCalendar
{
    /// <summary>The start of the bucket of <paramref name="size"/> that contains <paramref name="utc"/>.</summary>
    /// <param name="utc">The instant (UTC).</param>
    /// <param name="size">The bucket size.</param>
    /// <param name="zone">The reporting time zone of days and months; null is UTC.</param>
    /// <exception cref="ArgumentException"><paramref name="utc"/> is not a UTC <see cref="DateTime"/>.</exception>
    public static DateTime Floor(DateTime utc, BucketSize size, ReportingTimeZone? zone = null)
    {
        UtcGuard.Require(utc, nameof(utc));
        if (size != BucketSize.Hour && zone is { IsUtc: false })
        {
            return zone.Floor(utc, size);
        }

        return size switch
        {
            BucketSize.Hour => new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc),
            BucketSize.Day => new DateTime(utc.Year, utc.Month, utc.Day, 0, 0, 0, DateTimeKind.Utc),
            BucketSize.Month => new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc),
            _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown bucket size."),
        };
    }

    /// <summary>The start of the bucket after the one starting at <paramref name="start"/>: its exclusive end.</summary>
    /// <param name="start">A bucket start (UTC).</param>
    /// <param name="size">The bucket size.</param>
    /// <param name="zone">The reporting time zone of days and months; null is UTC. A local day is 23 or 25 hours long on a DST change.</param>
    public static DateTime End(DateTime start, BucketSize size, ReportingTimeZone? zone = null) => size != BucketSize.Hour && zone is { IsUtc: false } ? zone.End(start, size) : size switch
    {
        BucketSize.Hour => start.AddHours(1),
        BucketSize.Day => start.AddDays(1),
        BucketSize.Month => start.AddMonths(1),
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown bucket size."),
    };

    /// <summary>The smallest bucket boundary of <paramref name="size"/> at or after <paramref name="utc"/>.</summary>
    /// <param name="utc">The instant (UTC).</param>
    /// <param name="size">The bucket size.</param>
    /// <param name="zone">The reporting time zone of days and months; null is UTC.</param>
    public static DateTime Ceiling(DateTime utc, BucketSize size, ReportingTimeZone? zone = null)
    {
        var floor = Floor(utc, size, zone);
        return floor == utc ? floor : End(floor, size, zone);
    }

    /// <summary>The PostgreSQL <c>date_trunc</c> unit of a bucket size.</summary>
    internal static string SqlUnit(BucketSize size) => size switch
    {
        BucketSize.Hour => "hour",
        BucketSize.Day => "day",
        BucketSize.Month => "month",
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown bucket size."),
    };
}

namespace StatsCache.Policy;

/// <summary>
/// Calendar arithmetic for bucket boundaries. Boundaries are UTC: an hour, a day or a month
/// starts where <c>date_trunc(unit, ts, 'UTC')</c> says it does, so C# and SQL always agree.
/// </summary>
public static class BucketCalendar
{
    /// <summary>The start of the bucket of <paramref name="size"/> that contains <paramref name="utc"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="utc"/> is not a UTC <see cref="DateTime"/>.</exception>
    public static DateTime Floor(DateTime utc, BucketSize size)
    {
        UtcGuard.Require(utc, nameof(utc));
        return size switch
        {
            BucketSize.Hour => new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc),
            BucketSize.Day => new DateTime(utc.Year, utc.Month, utc.Day, 0, 0, 0, DateTimeKind.Utc),
            BucketSize.Month => new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc),
            _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown bucket size."),
        };
    }

    /// <summary>The start of the bucket after the one starting at <paramref name="start"/>: its exclusive end.</summary>
    public static DateTime End(DateTime start, BucketSize size) => size switch
    {
        BucketSize.Hour => start.AddHours(1),
        BucketSize.Day => start.AddDays(1),
        BucketSize.Month => start.AddMonths(1),
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown bucket size."),
    };

    /// <summary>The smallest bucket boundary of <paramref name="size"/> at or after <paramref name="utc"/>.</summary>
    public static DateTime Ceiling(DateTime utc, BucketSize size)
    {
        var floor = Floor(utc, size);
        return floor == utc ? floor : End(floor, size);
    }

    /// <summary>The PostgreSQL <c>date_trunc</c> unit of a bucket size.</summary>
    internal static string SqlUnit(BucketSize size) => size switch
    {
        BucketSize.Hour => "hour",
        BucketSize.Day => "day",
        BucketSize.Month => "month",
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown bucket size."),
    };

    /// <summary>The PostgreSQL interval literal of a bucket size.</summary>
    internal static string SqlInterval(BucketSize size) => "1 " + SqlUnit(size);
}

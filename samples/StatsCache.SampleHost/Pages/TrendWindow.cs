using Microsoft.Extensions.Options;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// The last <see cref="Days"/> days, today included, as whole days of the cache's reporting time
/// zone: a series point is a local day, so a window on local midnights gets whole points only.
/// </summary>
internal sealed record TrendWindow(DateTime From, DateTime To, int Days)
{
    /// <summary>The sparklines' window: within the cache's default daily retention, so all points are days.</summary>
    public const int DefaultDays = 30;

    /// <summary>The windows a page offers; the longer ones reach back to where the cache keeps months.</summary>
    public static IReadOnlyList<int> Choices { get; } = [30, 90, 365];

    public static TrendWindow LastDays(DateTime utcNow, IOptions<StatisticsCacheOptions> options, int days = DefaultDays)
    {
        var zone = ReportingTimeZone.FromId(options.Value.TimeZone);
        var today = BucketCalendar.Floor(utcNow, BucketSize.Day, zone);
        // Noon of the first day, floored: a day is 23 to 25 hours long, so (days - 1) × 24 h from
        // today's midnight can land an hour off midnight; noon is inside the right day either way.
        var from = BucketCalendar.Floor(today.AddDays(-(days - 1)).AddHours(12), BucketSize.Day, zone);
        return new TrendWindow(from, BucketCalendar.End(today, BucketSize.Day, zone), days);
    }

    public SeriesRequest Request => new() { From = From, To = To, Granularity = BucketSize.Day, FillEmpty = true };
}

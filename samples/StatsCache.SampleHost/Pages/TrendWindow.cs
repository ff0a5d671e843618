using Microsoft.Extensions.Options;
using StatsCache.Policy;
using StatsCache.Reads;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// The last <see cref="Days"/> days, today included, as whole days of the cache's reporting time
/// zone: a series point is a local day, so a window on local midnights gets whole points only.
/// </summary>
internal sealed record TrendWindow(DateTime From, DateTime To)
{
    public const int Days = 30;

    public static TrendWindow LastDays(DateTime utcNow, IOptions<StatisticsCacheOptions> options)
    {
        var zone = ReportingTimeZone.FromId(options.Value.TimeZone);
        var today = BucketCalendar.Floor(utcNow, BucketSize.Day, zone);
        // Noon of the first day, floored: a day is 23 to 25 hours long, so (Days - 1) × 24 h from
        // today's midnight can land an hour off midnight; noon is inside the right day either way.
        var from = BucketCalendar.Floor(today.AddDays(-(Days - 1)).AddHours(12), BucketSize.Day, zone);
        return new TrendWindow(from, BucketCalendar.End(today, BucketSize.Day, zone));
    }

    public SeriesRequest Request => new(From, To, BucketSize.Day, FillEmpty: true);
}

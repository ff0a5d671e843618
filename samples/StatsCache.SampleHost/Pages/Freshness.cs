using System.Text;
using StatsCache.Reads;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// The <c>?fresh=</c> toggle of the list pages. Without it numbers come from the cache (as fresh as
/// the last refresh, and what the page is sorted by); <c>realtime</c> re-reads the page's totals
/// with <see cref="ReadMode.RealTime"/> (cache plus the source rows since the watermark: exact to the
/// second); <c>live</c> with <see cref="ReadMode.Live"/> (the source alone, for comparison).
/// </summary>
internal static class Freshness
{
    public static ReadMode Parse(string? fresh) =>
        string.Equals(fresh, "realtime", StringComparison.OrdinalIgnoreCase) ? ReadMode.RealTime
        : string.Equals(fresh, "live", StringComparison.OrdinalIgnoreCase) ? ReadMode.Live
        : ReadMode.Cached;

    /// <summary>The query-string value of a mode; null for the default, so it drops out of links.</summary>
    public static string? Key(ReadMode mode) => mode switch
    {
        ReadMode.RealTime => "realtime",
        ReadMode.Live => "live",
        _ => null,
    };

    public static void AppendToggle(StringBuilder html, ReadMode current, Func<ReadMode, string> href)
    {
        html.Append("<p class=toggle>Numbers: ");
        var first = true;
        foreach (var (mode, label) in new[] { (ReadMode.Cached, "cached"), (ReadMode.RealTime, "real-time"), (ReadMode.Live, "live") })
        {
            html.Append(first ? "" : " · ");
            html.Append(mode == current ? $"<b>{label}</b>" : $"<a href=\"{href(mode)}\">{label}</a>");
            first = false;
        }

        html.Append(current switch
        {
            ReadMode.RealTime => " <span class=note>(cache + source rows since the last refresh: exact to the second; the order is still the cache's)</span>",
            ReadMode.Live => " <span class=note>(computed from the source alone, as the old sub-queries did; the order is still the cache's)</span>",
            _ => " <span class=note>(as fresh as the last refresh)</span>",
        });
        html.Append("</p>");
    }
}

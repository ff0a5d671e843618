using System.Globalization;
using System.Text;

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

    /// <summary>
    /// The banner of a list page: which read mode the numbers come from and how old they are (the
    /// watermark: every source row before it is counted), how long the read took, the traffic
    /// simulator's activity, and links to the other modes.
    /// </summary>
    public static void AppendBanner(StringBuilder html, ReadMode current, CacheStatus status, DateTime now, TimeSpan readTook, TrafficSimulator simulator, Func<ReadMode, string> href)
    {
        html.Append("<div class=banner data-mode=\"").Append(Key(current) ?? "cached").Append("\"><p class=toggle>Numbers: ");
        var first = true;
        foreach (var (mode, label) in new[] { (ReadMode.Cached, "cached"), (ReadMode.RealTime, "real-time"), (ReadMode.Live, "live") })
        {
            html.Append(first ? "" : " · ");
            html.Append(mode == current ? $"<b>{label}</b>" : $"<a href=\"{href(mode)}\">{label}</a>");
            first = false;
        }

        var watermark = status.Watermark is { } w
            ? string.Create(CultureInfo.InvariantCulture, $"{w:HH:mm:ss} UTC, {Html.Ago(now - w)}")
            : "never: the cache is not built yet";
        html.Append(" — ").Append(Html.E(current switch
        {
            ReadMode.RealTime => $"the cache plus the source rows since its watermark ({watermark}): exact as of this read, but for a late row stamped before the watermark, which the next refresh's look-back adds; the order is still the cache's.",
            ReadMode.Live => "computed from the source tables alone, as the old sub-queries did: exact as of this read; the order is still the cache's.",
            _ => $"as fresh as the last refresh: counted up to the watermark ({watermark}).",
        }));
        html.Append(CultureInfo.InvariantCulture, $" <span class=note data-read-ms=\"{readTook.TotalMilliseconds:F1}\">Read at {now:HH:mm:ss} UTC in {readTook.TotalMilliseconds:N1} ms.</span></p>");

        var traffic = simulator.Totals;
        html.Append("<p class=note>");
        html.Append(traffic.LastWriteAt is { } last
            ? Html.E(string.Create(CultureInfo.InvariantCulture,
                $"Traffic simulator: {traffic.Sessions:N0} sessions and {traffic.Messages:N0} messages written since start ({traffic.Late:N0} of them late), the last {Html.Ago(now - last)}. "))
            : simulator.Options.Enabled ? "Traffic simulator: starting. " : "Traffic simulator: off (Sample:Simulator:Enabled). ");
        html.Append("Cached numbers catch up at the next refresh; real-time and live ones at once.</p></div>");
    }
}

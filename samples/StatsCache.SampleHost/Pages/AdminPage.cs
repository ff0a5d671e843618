using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using StatsCache.Hosting;
using static StatsCache.SampleHost.Pages.Html;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// <c>/admin</c>: the cache's state (one <see cref="IStatisticsCache.GetStatusAsync"/> call), the
/// options it runs with, and the sample's maintenance schedule.
/// </summary>
internal static class AdminPage
{
    public static async Task<IResult> RenderAsync(IStatisticsCache cache, IOptions<StatisticsCacheOptions> options, IOptions<HostedMaintenanceOptions> maintenance, CancellationToken cancellationToken)
    {
        var status = await cache.GetStatusAsync(20, cancellationToken);
        var o = options.Value;

        var html = new StringBuilder("<p><a href=\"/\">Teams</a> · <a href=\"/health\">Health</a></p><h1>Statistics cache</h1><table>");
        Row(html, "Watermark", When(status.Watermark));
        Row(html, "Watermark lag", status.WatermarkLag is { } lag ? E(Duration(lag)) : "never built");
        Row(html, "Monthly buckets before", When(status.DailyFrom));
        Row(html, "Hourly buckets from", When(status.HourlyFrom));
        foreach (var (size, count) in status.BucketCounts.OrderBy(c => c.Key))
        {
            Row(html, $"{size} buckets", N(count), numeric: true);
        }

        Row(html, "Session rows", N(status.SessionRows), numeric: true);
        Row(html, "Backfill in progress", status.BackfillInProgress ? "yes" : "no");
        html.Append("</table>");

        // What the numbers above mean depends on these: which zone's midnights start a day, whether
        // deleted source rows stay counted, how far back each refresh re-reads.
        html.Append("<h2>Configuration</h2><table>");
        Row(html, "Cache name", E(o.CacheName));
        Row(html, "Reporting time zone (days, months)", E(o.TimeZone));
        Row(html, "Source deletions", E(o.Deletions.ToString()));
        Row(html, "Change tracking", o.ChangeTracking ? "on" : "off");
        Row(html, "Default read mode", E(o.DefaultReadMode.ToString()));
        Row(html, "Refresh look-back", E(Duration(o.LookBack)));
        Row(html, "Hourly buckets kept for", E(Duration(o.HourlyRetention)));
        Row(html, "Daily buckets kept for", E(Duration(o.DailyRetention)));
        var schedule = maintenance.Value;
        Row(html, "Refresh every (hosted maintenance)", E(Duration(schedule.RefreshInterval)));
        Row(html, "Compress every (hosted maintenance)", E(Duration(schedule.CompressInterval)));
        Row(html, "Verify the last day every (hosted maintenance)", schedule.VerifyInterval is { } verify && verify > TimeSpan.Zero ? E(Duration(verify)) : "never");
        html.Append("</table>");

        html.Append("<h2>Recent runs</h2><table><tr><th>Operation</th><th>Started</th><th>Duration</th><th>Rows written</th><th>Detail</th></tr>");
        foreach (var run in status.RecentRuns)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(run.Operation)}</td><td>{When(run.StartedAt)}</td><td class=n>{run.Duration.TotalMilliseconds:N0} ms</td><td class=n>{N(run.RowsWritten)}</td><td>{E(run.Detail ?? "")}</td></tr>");
        }

        html.Append("</table>");
        return Page("Statistics cache", html);
    }

    /// <param name="value">Already encoded or formatted.</param>
    private static void Row(StringBuilder html, string heading, string value, bool numeric = false) =>
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(heading)}</th><td{(numeric ? " class=n" : "")}>{value}</td></tr>");
}

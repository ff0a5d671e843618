using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StatsCache.SampleHost.Data;
using StatsCache.Storage;
using static StatsCache.SampleHost.Pages.Html;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// <c>/teams/{t}/experiments/{e}?page=N&amp;fresh=realtime|live&amp;days=30|90|365</c>: one chatbot's totals and trend,
/// and its sessions, newest activity first, 50 a page.
/// </summary>
/// <remarks>
/// Reads per request: the experiment's name (one statement); its totals (one call, in the chosen
/// read mode); its series over the chosen days (one call); the page of sessions (ONE statement, driven from the
/// cache's <see cref="SessionStatistics"/> so its (team, experiment, last activity) index gives the
/// order and the scan stops after one page); with <c>?fresh=</c> the page's session totals once more
/// in that mode (one call).
/// </remarks>
internal static class SessionsPage
{
    public const int PageSize = 50;

    public static async Task<IResult> RenderAsync(
        long teamId, long experimentId, string? page, string? fresh, string? days,
        SampleDbContext db, IStatisticsCache cache, TrafficSimulator simulator, IOptions<StatisticsCacheOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var mode = Freshness.Parse(fresh);
        var teamLink = Href(string.Create(CultureInfo.InvariantCulture, $"/teams/{teamId}"), ("fresh", Freshness.Key(mode)));
        var experimentName = await db.Experiments.AsNoTracking()
            .Where(e => e.Id == experimentId && e.TeamId == teamId)
            .Select(e => e.Name)
            .FirstOrDefaultAsync(cancellationToken);
        if (experimentName is null)
        {
            return ErrorPage(StatusCodes.Status404NotFound, "No such chatbot",
                string.Create(CultureInfo.InvariantCulture, $"Team {teamId} has no chatbot {experimentId}."), teamLink, "Back to the team's chatbots");
        }

        var trendDays = TrendWindow.DefaultDays;
        if (days is not null && !(int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out trendDays) && TrendWindow.Choices.Contains(trendDays)))
        {
            return ErrorPage(StatusCodes.Status400BadRequest, "Unknown chart window",
                $"'{days}' is not a chart window: choose days={string.Join(", ", TrendWindow.Choices)}.", Link(1, mode, TrendWindow.DefaultDays), $"Back to {experimentName}");
        }

        if (ParsePage(page) is not { } pageNumber)
        {
            return ErrorPage(StatusCodes.Status400BadRequest, "Bad page number",
                $"'{page}' is not a page number: pages are numbered from 1.", Link(1, mode, trendDays), $"Back to {experimentName}");
        }

        var read = Stopwatch.StartNew();
        var totals = (await cache.GetExperimentTotalsAsync(teamId, [experimentId], mode, cancellationToken))[experimentId];
        var now = time.GetUtcNow().UtcDateTime;
        var window = TrendWindow.LastDays(now, options, trendDays);
        var series = (await cache.GetExperimentSeriesAsync(teamId, [experimentId], window.Request, cancellationToken))[experimentId];

        var listed = db.Set<SessionStatistics>().AsNoTracking().Where(st => st.TeamId == teamId && st.ExperimentId == experimentId);
        var sessionCount = await listed.LongCountAsync(cancellationToken);
        var pages = PageCount(sessionCount, PageSize);
        if (pageNumber > pages)
        {
            return ErrorPage(StatusCodes.Status404NotFound, "No such page",
                string.Create(CultureInfo.InvariantCulture, $"There is no page {pageNumber}: {N(sessionCount)} sessions fit on {pages} page{(pages == 1 ? "" : "s")}."),
                Link(pages, mode, trendDays), string.Create(CultureInfo.InvariantCulture, $"Go to page {pages}"));
        }

        // One statement, as docs/reading.md shows: from the cache's session rows (in index order) to
        // the host's sessions and participants. A session the cache has not seen yet (created since
        // the last refresh) has no row and appears after the next refresh.
        var rows = await (
                from st in listed
                join s in db.Sessions on new { st.TeamId, Id = st.SessionId } equals new { s.TeamId, s.Id }
                join p in db.Participants on s.ParticipantId equals (long?)p.Id into participants
                from p in participants.DefaultIfEmpty()
                orderby st.LastActivityOrMinValue descending, st.SessionId
                select new SessionRow(s.Id, p == null ? null : p.Identifier, s.CreatedAt, st.HumanMessageCount, st.LastActivity, st.Versions))
            .Skip((pageNumber - 1) * PageSize)
            .Take(PageSize)
            .ToListAsync(cancellationToken);

        IReadOnlyDictionary<long, SessionStats>? exact = mode == ReadMode.Cached || rows.Count == 0
            ? null
            : await cache.GetSessionTotalsAsync(teamId, rows.Select(r => r.Id), mode, cancellationToken);
        read.Stop();
        var status = await cache.GetStatusAsync(0, cancellationToken);

        string Time(DateTime? value) => mode == ReadMode.Cached ? When(value) : WhenExact(value);

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture,
            $"<p><a href=\"{teamLink}\">‹ Back to the team's chatbots</a> · <a href=\"/admin/teams/{teamId}/experiments/{experimentId}\">Its buckets (admin)</a></p><h1>{E(experimentName)}</h1>");
        Freshness.AppendBanner(html, mode, status, now, read.Elapsed, simulator, m => Link(pageNumber, m, trendDays));
        html.Append(CultureInfo.InvariantCulture,
            $"<p id=totals><b>{N(totals.SessionCount)}</b> sessions · <b>{N(totals.ParticipantCount)}</b> participants · <b>{N(totals.HumanMessageCount)}</b> human messages · last activity {Time(totals.LastActivity)}</p>");

        var chart = Chart.Of(series, window);
        html.Append(CultureInfo.InvariantCulture, $"<h2>Human messages per day</h2><p>{Sparkline.Render(chart.Points, chart.From, window.To, chart.Label, width: 600, height: 80)}<br>");
        html.Append(CultureInfo.InvariantCulture, $"<span class=note id=window-total>{E(chart.Summary)}</span><br><span class=note>Window: last ");
        html.AppendJoin(" · ", TrendWindow.Choices.Select(d => d == trendDays
            ? string.Create(CultureInfo.InvariantCulture, $"<b>{d}</b>")
            : string.Create(CultureInfo.InvariantCulture, $"<a href=\"{Link(pageNumber, mode, d)}\">{d}</a>")));
        html.Append(" days</span></p>");

        html.Append("<h2>Sessions by last activity</h2><table id=sessions><thead><tr><th class=n>Session</th><th>Participant</th><th>Started</th><th class=n>Human messages</th><th>Last activity</th><th>Versions</th></tr></thead><tbody>");
        foreach (var row in rows)
        {
            var (messages, lastActivity, versions) = exact is null
                ? (row.HumanMessages, row.LastActivity, (IReadOnlyList<string>)row.Versions)
                : (exact[row.Id].HumanMessageCount, exact[row.Id].LastActivity, exact[row.Id].Versions);
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=n>{row.Id}</td><td>{E(row.Participant ?? "(anonymous)")}</td><td>{When(row.CreatedAt)}</td><td class=n>{N(messages)}</td><td>{Time(lastActivity)}</td><td>{E(string.Join(", ", versions))}</td></tr>");
        }

        if (rows.Count == 0)
        {
            html.Append("<tr><td colspan=6>No sessions yet.</td></tr>");
        }

        html.Append("</tbody></table>");
        AppendPager(html, pageNumber, pages, sessionCount, "sessions", p => Link(p, mode, trendDays));
        return Page(experimentName, html);

        string Link(int pageTo, ReadMode readMode, int windowDays) => Href(
            string.Create(CultureInfo.InvariantCulture, $"/teams/{teamId}/experiments/{experimentId}"),
            ("page", pageTo == 1 ? null : pageTo.ToString(CultureInfo.InvariantCulture)),
            ("fresh", Freshness.Key(readMode)),
            ("days", windowDays == TrendWindow.DefaultDays ? null : windowDays.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// What the chart draws: where the cache keeps whole months, the window starts at the first
    /// month's start (a month is stored whole, so it is drawn and counted whole, never cut or drawn
    /// outside the window); days before the first activity are left out; the total is the sum of
    /// exactly the points drawn.
    /// </summary>
    private sealed record Chart(IReadOnlyList<SeriesPoint> Points, DateTime From, string Label, string Summary)
    {
        public static Chart Of(IReadOnlyList<SeriesPoint> series, TrendWindow window)
        {
            var from = series.Select(p => p.Start).Where(s => s < window.From).DefaultIfEmpty(window.From).Min();
            var note = from < window.From ? string.Create(CultureInfo.InvariantCulture, $"; from {from:yyyy-MM-dd}: the cache keeps that month whole (grey: its average per day)") : "";
            var firstActive = series.Where(p => p.HumanMessageCount > 0).Select(p => p.Start).DefaultIfEmpty(window.To).Min();
            if (firstActive > from && window.Days > TrendWindow.DefaultDays)
            {
                note = string.Create(CultureInfo.InvariantCulture, $"; no human messages before {firstActive:yyyy-MM-dd}, so the chart starts there");
                from = firstActive;
            }

            var points = series.Where(p => p.Start >= from).ToList();
            var total = points.Sum(p => p.HumanMessageCount);
            var peak = points.Where(p => p.Size <= BucketSize.Day).Select(p => p.HumanMessageCount).DefaultIfEmpty().Max();
            var summary = string.Create(CultureInfo.InvariantCulture,
                $"{total:N0} human messages from {from:yyyy-MM-dd} to {window.To.AddDays(-1):yyyy-MM-dd} (last {window.Days} days), at most {peak:N0} a day{note}.");
            return new Chart(points, from, summary, summary);
        }
    }

    private sealed record SessionRow(long Id, string? Participant, DateTime CreatedAt, long HumanMessages, DateTime? LastActivity, string[] Versions);
}

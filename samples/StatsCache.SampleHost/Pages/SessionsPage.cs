using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StatsCache.Reads;
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
        long teamId, long experimentId, int? page, string? fresh, int? days,
        SampleDbContext db, IStatisticsCache cache, IOptions<StatisticsCacheOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var experimentName = await db.Experiments.AsNoTracking()
            .Where(e => e.Id == experimentId && e.TeamId == teamId)
            .Select(e => e.Name)
            .FirstOrDefaultAsync(cancellationToken);
        if (experimentName is null)
        {
            return Results.NotFound();
        }

        var pageNumber = PageNumber(page);
        var mode = Freshness.Parse(fresh);

        var totals = (await cache.GetExperimentTotalsAsync(teamId, [experimentId], mode, cancellationToken))[experimentId];
        var window = TrendWindow.LastDays(time.GetUtcNow().UtcDateTime, options, TrendWindow.Choices.Contains(days ?? 0) ? days!.Value : TrendWindow.DefaultDays);
        var series = (await cache.GetExperimentSeriesAsync(teamId, [experimentId], window.Request, cancellationToken))[experimentId];

        // One statement, as docs/reading.md shows: from the cache's session rows (in index order) to
        // the host's sessions and participants. A session the cache has not seen yet (created since
        // the last refresh) has no row and appears after the next refresh.
        var rows = await (
                from st in db.Set<SessionStatistics>().AsNoTracking()
                where st.TeamId == teamId && st.ExperimentId == experimentId
                join s in db.Sessions on new { st.TeamId, Id = st.SessionId } equals new { s.TeamId, s.Id }
                join p in db.Participants on s.ParticipantId equals (long?)p.Id into participants
                from p in participants.DefaultIfEmpty()
                orderby st.LastActivityOrMinValue descending, st.SessionId
                select new SessionRow(s.Id, p == null ? null : p.Identifier, s.CreatedAt, st.HumanMessageCount, st.LastActivity, st.Versions))
            .Skip((pageNumber - 1) * PageSize)
            .Take(PageSize + 1)
            .ToListAsync(cancellationToken);
        var hasNext = rows.Count > PageSize;
        if (hasNext)
        {
            rows.RemoveAt(PageSize);
        }

        IReadOnlyDictionary<long, SessionTotals>? exact = mode == ReadMode.Cached || rows.Count == 0
            ? null
            : await cache.GetSessionTotalsAsync(teamId, rows.Select(r => r.Id), mode, cancellationToken);

        string Link(int pageTo, ReadMode readMode, int trendDays) => Href(
            string.Create(CultureInfo.InvariantCulture, $"/teams/{teamId}/experiments/{experimentId}"),
            ("page", pageTo == 1 ? null : pageTo.ToString(CultureInfo.InvariantCulture)),
            ("fresh", Freshness.Key(readMode)),
            ("days", trendDays == TrendWindow.DefaultDays ? null : trendDays.ToString(CultureInfo.InvariantCulture)));

        string Time(DateTime? value) => mode == ReadMode.Cached ? When(value) : WhenExact(value);

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"/teams/{teamId}\">Back to the team</a></p><h1>{E(experimentName)}</h1>");
        Freshness.AppendToggle(html, mode, m => Link(pageNumber, m, window.Days));
        html.Append(CultureInfo.InvariantCulture,
            $"<p>{N(totals.Sessions)} sessions · {N(totals.Participants)} participants · {N(totals.HumanMessages)} human messages · last activity {Time(totals.LastActivity)}</p>");
        // The longer windows reach where the cache keeps months: those points come back as they are
        // stored (point.Size), and are drawn and described as months rather than as days.
        var label = Sparkline.Describe(series, window);
        html.Append(CultureInfo.InvariantCulture, $"<p>{Sparkline.Render(series, window.From, window.To, label, width: 480, height: 60)}<br><span class=note>{E(char.ToUpperInvariant(label[0]) + label[1..])} · last ");
        html.AppendJoin(" · ", TrendWindow.Choices.Select(d => d == window.Days
            ? d.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"<a href=\"{Link(pageNumber, mode, d)}\">{d}</a>")));
        html.Append(" days</span></p>");

        html.Append("<h2>Sessions by last activity</h2><table><tr><th>Session</th><th>Participant</th><th>Started</th><th>Human messages</th><th>Last activity</th><th>Versions</th></tr>");
        foreach (var row in rows)
        {
            var (messages, lastActivity, versions) = exact is null
                ? (row.HumanMessages, row.LastActivity, (IReadOnlyList<string>)row.Versions)
                : (exact[row.Id].HumanMessages, exact[row.Id].LastActivity, exact[row.Id].Versions);
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=n>{row.Id}</td><td>{E(row.Participant ?? "(anonymous)")}</td><td>{When(row.CreatedAt)}</td><td class=n>{N(messages)}</td><td>{Time(lastActivity)}</td><td>{E(string.Join(", ", versions))}</td></tr>");
        }

        if (rows.Count == 0)
        {
            html.Append("<tr><td colspan=6>No sessions on this page.</td></tr>");
        }

        html.Append("</table>");
        AppendPager(html, pageNumber, hasNext, p => Link(p, mode, window.Days));
        return Page(experimentName, html);
    }

    private sealed record SessionRow(long Id, string? Participant, DateTime CreatedAt, long HumanMessages, DateTime? LastActivity, string[] Versions);
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.EntityFrameworkCore;
using StatsCache.SampleHost.Data;

namespace StatsCache.SampleHost;

/// <summary>
/// The sample's pages: plain server-rendered HTML (every value HTML-encoded), no client framework.
/// Each list page reads its statistics with ONE batch call for the whole page, instead of the
/// correlated sub-queries per row it would otherwise need.
/// </summary>
public static class Pages
{
    public static WebApplication MapSamplePages(this WebApplication app)
    {
        app.MapGet("/", IndexAsync);
        app.MapGet("/teams/{teamId:long}", TeamAsync);
        app.MapGet("/teams/{teamId:long}/experiments/{experimentId:long}", ExperimentAsync);
        app.MapGet("/admin", AdminAsync);
        // The library's health check: healthy while refreshes keep the watermark fresh, whatever the traffic.
        app.MapHealthChecks("/health");
        return app;
    }

    private static async Task<IResult> IndexAsync(SampleDbContext db, CancellationToken cancellationToken)
    {
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Id).ToListAsync(cancellationToken);
        var html = new StringBuilder("<h1>Teams</h1><ul>");
        foreach (var team in teams)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"/teams/{team.Id}\">{E(team.Name)}</a></li>");
        }

        html.Append("</ul><p><a href=\"/admin\">Cache admin</a> · <a href=\"/health\">Health</a></p>");
        return Page("Teams", html);
    }

    private static async Task<IResult> TeamAsync(long teamId, SampleDbContext db, IStatisticsCache cache, CancellationToken cancellationToken)
    {
        var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null)
        {
            return Results.NotFound();
        }

        var experiments = await db.Experiments.AsNoTracking()
            .Where(e => e.TeamId == teamId)
            .Select(e => new { e.Id, e.Name })
            .ToListAsync(cancellationToken);

        // One round trip for the statistics of every row of the page.
        var totals = await cache.GetExperimentTotalsAsync(teamId, experiments.Select(e => e.Id), cancellationToken);

        // Sorted in memory for now; sorting and paging in the database comes with the queryable composition.
        var rows = experiments
            .Select(e => (Experiment: e, Totals: totals[e.Id]))
            .OrderByDescending(r => r.Totals.LastActivity ?? DateTime.MinValue)
            .ThenBy(r => r.Experiment.Name, StringComparer.Ordinal);

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"/\">Teams</a></p><h1>{E(team.Name)}: chatbots</h1>");
        html.Append("<table><tr><th>Chatbot</th><th>Sessions</th><th>Participants</th><th>Human messages</th><th>Last activity</th></tr>");
        foreach (var (experiment, t) in rows)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td><a href=\"/teams/{teamId}/experiments/{experiment.Id}\">{E(experiment.Name)}</a></td><td class=n>{N(t.Sessions)}</td><td class=n>{N(t.Participants)}</td><td class=n>{N(t.HumanMessages)}</td><td>{When(t.LastActivity)}</td></tr>");
        }

        html.Append("</table>");
        return Page(team.Name, html);
    }

    private static async Task<IResult> ExperimentAsync(long teamId, long experimentId, SampleDbContext db, IStatisticsCache cache, CancellationToken cancellationToken)
    {
        var experiment = await db.Experiments.AsNoTracking().FirstOrDefaultAsync(e => e.Id == experimentId && e.TeamId == teamId, cancellationToken);
        if (experiment is null)
        {
            return Results.NotFound();
        }

        var sessions = await (
                from s in db.Sessions.AsNoTracking()
                where s.TeamId == teamId && s.ExperimentId == experimentId
                join p in db.Participants on s.ParticipantId equals p.Id into ps
                from p in ps.DefaultIfEmpty()
                orderby s.CreatedAt descending, s.Id descending
                select new { s.Id, s.CreatedAt, Participant = p == null ? null : p.Identifier })
            .Take(50)
            .ToListAsync(cancellationToken);

        var experimentTotals = (await cache.GetExperimentTotalsAsync(teamId, [experimentId], cancellationToken))[experimentId];
        // One round trip for the statistics of every session on the page.
        var totals = await cache.GetSessionTotalsAsync(teamId, sessions.Select(s => s.Id), cancellationToken);

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"/teams/{teamId}\">Back to the team</a></p><h1>{E(experiment.Name)}</h1>");
        html.Append(CultureInfo.InvariantCulture,
            $"<p>{N(experimentTotals.Sessions)} sessions · {N(experimentTotals.Participants)} participants · {N(experimentTotals.HumanMessages)} human messages · last activity {When(experimentTotals.LastActivity)}</p>");
        html.Append("<h2>Latest 50 sessions</h2><table><tr><th>Session</th><th>Participant</th><th>Started</th><th>Human messages</th><th>Last activity</th><th>Versions</th></tr>");
        foreach (var session in sessions)
        {
            var t = totals[session.Id];
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=n>{session.Id}</td><td>{E(session.Participant ?? "(anonymous)")}</td><td>{When(session.CreatedAt)}</td><td class=n>{N(t.HumanMessages)}</td><td>{When(t.LastActivity)}</td><td>{E(string.Join(", ", t.Versions))}</td></tr>");
        }

        html.Append("</table>");
        return Page(experiment.Name, html);
    }

    private static async Task<IResult> AdminAsync(IStatisticsCache cache, CancellationToken cancellationToken)
    {
        var status = await cache.GetStatusAsync(20, cancellationToken);
        var html = new StringBuilder("<p><a href=\"/\">Teams</a></p><h1>Statistics cache</h1><table>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>Watermark</th><td>{When(status.Watermark)}</td></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>Watermark lag</th><td>{(status.WatermarkLag is { } lag ? E(Duration(lag)) : "never built")}</td></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>Monthly buckets before</th><td>{When(status.DailyFrom)}</td></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>Hourly buckets from</th><td>{When(status.HourlyFrom)}</td></tr>");
        foreach (var (size, count) in status.BucketCounts.OrderBy(c => c.Key))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(size.ToString())} buckets</th><td class=n>{N(count)}</td></tr>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<tr><th>Session rows</th><td class=n>{N(status.SessionRows)}</td></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>Backfill in progress</th><td>{(status.BackfillInProgress ? "yes" : "no")}</td></tr></table>");
        html.Append("<h2>Recent runs</h2><table><tr><th>Operation</th><th>Started</th><th>Duration</th><th>Rows written</th><th>Detail</th></tr>");
        foreach (var run in status.RecentRuns)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(run.Operation)}</td><td>{When(run.StartedAt)}</td><td class=n>{run.Duration.TotalMilliseconds:N0} ms</td><td class=n>{N(run.RowsWritten)}</td><td>{E(run.Detail ?? "")}</td></tr>");
        }

        html.Append("</table>");
        return Page("Statistics cache", html);
    }

    private static IResult Page(string title, StringBuilder body) =>
        Results.Content(
            $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}} · StatsCache sample</title>
            <style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}</style>
            </head><body>{{body}}</body></html>
            """,
            "text/html; charset=utf-8");

    private static string E(string value) => HtmlEncoder.Default.Encode(value);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string When(DateTime? value) =>
        value is { } v ? E(v.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC") : "—";

    private static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:F1} days")
        : span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:F1} h")
        : span.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:F1} min")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:F0} s");
}

using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StatsCache.Policy;
using StatsCache.Reads;
using StatsCache.SampleHost.Data;
using StatsCache.Storage;
using static StatsCache.SampleHost.Pages.Html;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// <c>/teams/{id}?sort=activity|sessions|participants|messages|name&amp;page=N&amp;fresh=realtime|live</c>:
/// a team's chatbots, 25 a page, sorted and paged by PostgreSQL, with a 30-day sparkline per row.
/// </summary>
/// <remarks>
/// Reads per request: the team's name (one statement); the page's rows with their statistics (ONE
/// statement: the cache's <see cref="ExperimentStatistics"/> composed into the host's query, so the
/// database sorts and pages by a statistic); the sparklines of the whole page (ONE series call); and
/// with <c>?fresh=</c> the page's totals once more in that read mode (one call).
/// </remarks>
internal static class ChatbotsPage
{
    public const int PageSize = 25;

    /// <summary>The sortable columns: their <c>?sort=</c> key and heading, in display order.</summary>
    private static readonly (string Key, string Title)[] Columns =
    [
        ("name", "Chatbot"),
        ("sessions", "Sessions"),
        ("participants", "Participants"),
        ("messages", "Human messages"),
        ("activity", "Last activity"),
    ];

    public static async Task<IResult> RenderAsync(
        long teamId, string? sort, int? page, string? fresh,
        SampleDbContext db, IStatisticsCache cache, IOptions<StatisticsCacheOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var teamName = await db.Teams.AsNoTracking().Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(cancellationToken);
        if (teamName is null)
        {
            return Results.NotFound();
        }

        var sortKey = Columns.Any(c => string.Equals(c.Key, sort, StringComparison.Ordinal)) ? sort! : "activity";
        var pageNumber = PageNumber(page);
        var mode = Freshness.Parse(fresh);

        // One statement: a LEFT JOIN of the cache's per-experiment totals on team AND experiment id
        // (experiments without activity have no statistics row: zeros), ordered and paged by
        // PostgreSQL. One row more than a page tells whether there is a next page, without a COUNT.
        var rows = await Sorted(ChatbotRows(db, teamId), sortKey)
            .Skip((pageNumber - 1) * PageSize)
            .Take(PageSize + 1)
            .ToListAsync(cancellationToken);
        var hasNext = rows.Count > PageSize;
        if (hasNext)
        {
            rows.RemoveAt(PageSize);
        }

        var ids = rows.Select(r => r.Id).ToList();

        // Real-time or live numbers for the rows of this page, one call; the order stays the cache's.
        IReadOnlyDictionary<long, ExperimentTotals>? exact = mode == ReadMode.Cached || ids.Count == 0
            ? null
            : await cache.GetExperimentTotalsAsync(teamId, ids, mode, cancellationToken);

        // The sparklines of the whole page in one round trip, zero-filled so every day has a point.
        var window = TrendWindow.LastDays(time.GetUtcNow().UtcDateTime, options);
        var series = ids.Count == 0
            ? new Dictionary<long, IReadOnlyList<SeriesPoint>>()
            : await cache.GetExperimentSeriesAsync(teamId, ids, window.Request, cancellationToken);

        string Link(string? sortBy, int pageTo, ReadMode readMode) => Href(
            $"/teams/{teamId.ToString(CultureInfo.InvariantCulture)}",
            ("sort", sortBy == "activity" ? null : sortBy),
            ("page", pageTo == 1 ? null : pageTo.ToString(CultureInfo.InvariantCulture)),
            ("fresh", Freshness.Key(readMode)));

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"/\">Teams</a> · <a href=\"/admin\">Cache admin</a></p><h1>{E(teamName)}: chatbots</h1>");
        Freshness.AppendToggle(html, mode, m => Link(sortKey, pageNumber, m));

        html.Append("<table><tr>");
        foreach (var (key, title) in Columns)
        {
            // A new sort starts again at page 1.
            html.Append(CultureInfo.InvariantCulture,
                $"<th{(key == sortKey ? " class=sorted" : "")}><a href=\"{Link(key, 1, mode)}\">{E(title)}</a>{(key == sortKey ? (key == "name" ? " ▲" : " ▼") : "")}</th>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<th>Human messages per day, last {window.Days} days</th></tr>");

        var anyCoarse = false;
        foreach (var row in rows)
        {
            var (sessions, participants, messages, lastActivity) = exact is null
                ? (row.Sessions, row.Participants, row.HumanMessages, row.LastActivity)
                : (exact[row.Id].Sessions, exact[row.Id].Participants, exact[row.Id].HumanMessages, exact[row.Id].LastActivity);
            var points = series.TryGetValue(row.Id, out var s) ? s : [];
            anyCoarse |= Sparkline.HasCoarsePoints(points);
            var label = $"{row.Name}: {Sparkline.Describe(points, window)}";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td><a href=\"/teams/{teamId}/experiments/{row.Id}\">{E(row.Name)}</a></td><td class=n>{N(sessions)}</td><td class=n>{N(participants)}</td><td class=n>{N(messages)}</td><td>{(exact is null ? When(lastActivity) : WhenExact(lastActivity))}</td><td>{Sparkline.Render(points, window.From, window.To, label)}</td></tr>");
        }

        if (rows.Count == 0)
        {
            html.Append("<tr><td colspan=6>No chatbots on this page.</td></tr>");
        }

        html.Append("</table>");
        AppendPager(html, pageNumber, hasNext, p => Link(sortKey, p, mode));
        if (anyCoarse)
        {
            html.Append("<p class=note>Grey bars: the cache keeps that range as a whole month (older than its daily retention), drawn at its average per day.</p>");
        }

        return Page(teamName, html);
    }

    /// <summary>The team's experiments with their cached totals, as docs/reading.md composes them.</summary>
    private static IQueryable<ChatbotRow> ChatbotRows(SampleDbContext db, long teamId) =>
        from e in db.Experiments.AsNoTracking()
        where e.TeamId == teamId
        join s in db.Set<ExperimentStatistics>().AsNoTracking()
            on new { e.TeamId, ExperimentId = e.Id } equals new { s.TeamId, s.ExperimentId } into stats
        from s in stats.DefaultIfEmpty()
        select new ChatbotRow
        {
            Id = e.Id,
            Name = e.Name,
            Sessions = s == null ? 0 : s.SessionCount,
            Participants = s == null ? 0 : s.ParticipantCount,
            HumanMessages = s == null ? 0 : s.HumanMessageCount,
            LastActivity = s == null ? null : s.LastActivity,
            // Newest first, inactive last: ordering by the nullable LastActivity would put nulls first.
            LastActivityOrMinValue = s == null ? DateTime.MinValue : s.LastActivityOrMinValue,
        };

    /// <summary>Numbers descend (biggest first), names ascend; the id breaks ties so pages never overlap.</summary>
    private static IQueryable<ChatbotRow> Sorted(IQueryable<ChatbotRow> rows, string sortKey) => sortKey switch
    {
        "name" => rows.OrderBy(r => r.Name).ThenBy(r => r.Id),
        "sessions" => rows.OrderByDescending(r => r.Sessions).ThenBy(r => r.Id),
        "participants" => rows.OrderByDescending(r => r.Participants).ThenBy(r => r.Id),
        "messages" => rows.OrderByDescending(r => r.HumanMessages).ThenBy(r => r.Id),
        _ => rows.OrderByDescending(r => r.LastActivityOrMinValue).ThenBy(r => r.Id),
    };

    /// <summary>A row of the page. A class with setters (not a positional record) so EF Core can order by its members after the projection.</summary>
    private sealed class ChatbotRow
    {
        public long Id { get; init; }

        public string Name { get; init; } = "";

        public long Sessions { get; init; }

        public long Participants { get; init; }

        public long HumanMessages { get; init; }

        public DateTime? LastActivity { get; init; }

        public DateTime LastActivityOrMinValue { get; init; }
    }
}

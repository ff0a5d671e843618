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
/// <c>/teams/{id}?q=text&amp;sort=activity|sessions|participants|messages|name&amp;dir=asc|desc&amp;page=N&amp;fresh=realtime|live</c>:
/// a team's chatbots, 25 a page, searched, sorted and paged by PostgreSQL, with a 30-day sparkline per
/// row, all rows on one scale.
/// </summary>
/// <remarks>
/// Reads per request: the team's name (one statement); how many chatbots match (one COUNT, for the
/// page numbers); the page's rows with their statistics (ONE statement: the cache's
/// <see cref="ExperimentStatistics"/> composed into the host's query, so the database sorts and pages
/// by a statistic); the sparklines of the whole page (ONE series call); with <c>?fresh=</c> the page's
/// totals once more in that read mode (one call); and the cache's status for the banner.
/// </remarks>
internal static class ChatbotsPage
{
    public const int PageSize = 25;

    /// <summary>The sortable columns: their <c>?sort=</c> key, heading and default direction, in display order.</summary>
    private static readonly (string Key, string Title, bool DescendingByDefault)[] Columns =
    [
        ("name", "Chatbot", false),
        ("sessions", "Sessions", true),
        ("participants", "Participants", true),
        ("messages", "Human messages", true),
        ("activity", "Last activity", true),
    ];

    public static async Task<IResult> RenderAsync(
        long teamId, string? q, string? sort, string? dir, string? page, string? fresh,
        SampleDbContext db, IStatisticsCache cache, TrafficSimulator simulator, IOptions<StatisticsCacheOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var mode = Freshness.Parse(fresh);
        var teamName = await db.Teams.AsNoTracking().Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(cancellationToken);
        if (teamName is null)
        {
            return ErrorPage(StatusCodes.Status404NotFound, "No such team", string.Create(CultureInfo.InvariantCulture, $"There is no team {teamId}."), "/", "Back to the teams");
        }

        var search = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        string Link(string sortBy, bool descending, int pageTo, ReadMode readMode) => Href(
            $"/teams/{teamId.ToString(CultureInfo.InvariantCulture)}",
            ("q", search),
            ("sort", sortBy == "activity" ? null : sortBy),
            ("dir", descending == Columns.Single(c => c.Key == sortBy).DescendingByDefault ? null : descending ? "desc" : "asc"),
            ("page", pageTo == 1 ? null : pageTo.ToString(CultureInfo.InvariantCulture)),
            ("fresh", Freshness.Key(readMode)));

        var column = Columns.FirstOrDefault(c => string.Equals(c.Key, sort ?? "activity", StringComparison.Ordinal));
        if (column.Key is null)
        {
            return ErrorPage(StatusCodes.Status400BadRequest, "Unknown sort",
                $"The chatbots cannot be sorted by '{sort}': sort by {string.Join(", ", Columns.Select(c => c.Key))}.",
                Link("activity", true, 1, mode), $"Back to {teamName}");
        }

        if (dir is not (null or "asc" or "desc"))
        {
            return ErrorPage(StatusCodes.Status400BadRequest, "Unknown sort direction",
                $"'{dir}' is not a sort direction: use dir=asc or dir=desc.", Link(column.Key, column.DescendingByDefault, 1, mode), $"Back to {teamName}");
        }

        var descending = dir is null ? column.DescendingByDefault : dir == "desc";
        if (ParsePage(page) is not { } pageNumber)
        {
            return ErrorPage(StatusCodes.Status400BadRequest, "Bad page number",
                $"'{page}' is not a page number: pages are numbered from 1.", Link(column.Key, descending, 1, mode), $"Back to page 1 of {teamName}");
        }

        var read = Stopwatch.StartNew();
        var matching = Matching(db, teamId, search);
        var total = await matching.LongCountAsync(cancellationToken);
        var pages = PageCount(total, PageSize);
        if (pageNumber > pages)
        {
            return ErrorPage(StatusCodes.Status404NotFound, "No such page",
                string.Create(CultureInfo.InvariantCulture, $"There is no page {pageNumber}: {N(total)} chatbots{(search is null ? "" : $" matching '{search}'")} fit on {pages} page{(pages == 1 ? "" : "s")}."),
                Link(column.Key, descending, pages, mode), string.Create(CultureInfo.InvariantCulture, $"Go to page {pages}"));
        }

        // One statement: a LEFT JOIN of the cache's per-experiment totals on team AND experiment id
        // (experiments without activity have no statistics row: zeros), ordered and paged by PostgreSQL.
        var rows = await Sorted(ChatbotRows(db, matching), column.Key, descending)
            .Skip((pageNumber - 1) * PageSize)
            .Take(PageSize)
            .ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();

        // Real-time or live numbers for the rows of this page, one call; the order stays the cache's.
        IReadOnlyDictionary<long, ExperimentStats>? exact = mode == ReadMode.Cached || ids.Count == 0
            ? null
            : await cache.GetExperimentTotalsAsync(teamId, ids, mode, cancellationToken);

        // The sparklines of the whole page in one round trip, zero-filled so every day has a point.
        var now = time.GetUtcNow().UtcDateTime;
        var window = TrendWindow.LastDays(now, options);
        var series = ids.Count == 0
            ? new Dictionary<long, IReadOnlyList<SeriesPoint>>()
            : await cache.GetExperimentSeriesAsync(teamId, ids, window.Request, cancellationToken);
        read.Stop();
        var status = await cache.GetStatusAsync(0, cancellationToken);

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(teamName)}: chatbots</h1>");
        Freshness.AppendBanner(html, mode, status, now, read.Elapsed, simulator, m => Link(column.Key, descending, pageNumber, m));

        html.Append(CultureInfo.InvariantCulture,
            $"<form method=get action=\"/teams/{teamId}\" role=search><input type=search name=q value=\"{E(search ?? "")}\" placeholder=\"Search by name\" aria-label=\"Search chatbots by name\">");
        foreach (var (key, value) in new[] { ("sort", column.Key == "activity" ? null : column.Key), ("dir", dir), ("fresh", Freshness.Key(mode)) })
        {
            if (value is not null)
            {
                html.Append(CultureInfo.InvariantCulture, $"<input type=hidden name={key} value=\"{E(value)}\">");
            }
        }

        html.Append(" <button>Search</button>");
        if (search is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $" <a href=\"{Href($"/teams/{teamId}", ("fresh", Freshness.Key(mode)))}\">clear</a>");
        }

        html.Append(CultureInfo.InvariantCulture, $" <span class=note id=total>{N(total)} chatbot{(total == 1 ? "" : "s")}{(search is null ? "" : $" matching ‘{E(search)}’")}</span></form>");

        var scaleMax = Sparkline.Max(series.Values);
        html.Append("<table id=chatbots><thead><tr>");
        foreach (var (key, title, _) in Columns)
        {
            // Clicking the sorted column reverses it; another column starts in its natural direction. A new sort starts at page 1.
            var sorted = key == column.Key;
            var next = sorted ? !descending : Columns.Single(c => c.Key == key).DescendingByDefault;
            html.Append(CultureInfo.InvariantCulture,
                $"<th data-sort=\"{key}\"{(sorted ? $" class=sorted aria-sort={(descending ? "descending" : "ascending")}" : "")}><a href=\"{Link(key, next, 1, mode)}\">{E(title)}</a>{(sorted ? (descending ? " ▼" : " ▲") : "")}</th>");
        }

        html.Append(CultureInfo.InvariantCulture,
            $"<th>Human messages per day, last {window.Days} days<br><span class=note>one scale for every row: 0 to {scaleMax:N0} a day</span></th></tr></thead><tbody>");

        var anyCoarse = false;
        foreach (var row in rows)
        {
            var (sessions, participants, messages, lastActivity) = exact is null
                ? (row.Sessions, row.Participants, row.HumanMessages, row.LastActivity)
                : (exact[row.Id].SessionCount, exact[row.Id].ParticipantCount, exact[row.Id].HumanMessageCount, exact[row.Id].LastActivity);
            var points = series.TryGetValue(row.Id, out var s) ? s : [];
            anyCoarse |= Sparkline.HasCoarsePoints(points);
            var label = $"{row.Name}: {Sparkline.Describe(points, window)}";
            var sessionsLink = Href(string.Create(CultureInfo.InvariantCulture, $"/teams/{teamId}/experiments/{row.Id}"), ("fresh", Freshness.Key(mode)));
            html.Append(CultureInfo.InvariantCulture,
                $"<tr data-id=\"{row.Id}\"><td><a href=\"{sessionsLink}\">{E(row.Name)}</a></td><td class=n>{N(sessions)}</td><td class=n>{N(participants)}</td><td class=n>{N(messages)}</td><td>{(exact is null ? When(lastActivity) : WhenExact(lastActivity))}</td><td>{Sparkline.Render(points, window.From, window.To, label, scaleMax: scaleMax)}</td></tr>");
        }

        if (rows.Count == 0)
        {
            html.Append(search is null ? "<tr><td colspan=6>This team has no chatbots.</td></tr>" : "<tr><td colspan=6>No chatbot matches the search.</td></tr>");
        }

        html.Append("</tbody></table>");
        AppendPager(html, pageNumber, pages, total, "chatbots", p => Link(column.Key, descending, p, mode));
        if (anyCoarse)
        {
            html.Append("<p class=note>Grey bars: the cache keeps that range as a whole month (older than its daily retention), drawn at its average per day.</p>");
        }

        return Page(teamName, html);
    }

    /// <summary>The team's experiments whose name contains the search text (case-insensitive; % and _ match themselves).</summary>
    private static IQueryable<Experiment> Matching(SampleDbContext db, long teamId, string? search)
    {
        var experiments = db.Experiments.AsNoTracking().Where(e => e.TeamId == teamId);
        if (search is null)
        {
            return experiments;
        }

        var pattern = "%" + search.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";
        return experiments.Where(e => EF.Functions.ILike(e.Name, pattern, @"\"));
    }

    /// <summary>The team's experiments with their cached totals, as docs/reading.md composes them.</summary>
    private static IQueryable<ChatbotRow> ChatbotRows(SampleDbContext db, IQueryable<Experiment> experiments) =>
        from e in experiments
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

    /// <summary>
    /// Either direction of any column; names in natural order (an ICU collation with numeric ordering:
    /// "Coach #16" before "Coach #106"); the id breaks ties, in the same direction, so pages never overlap.
    /// </summary>
    private static IQueryable<ChatbotRow> Sorted(IQueryable<ChatbotRow> rows, string sortKey, bool descending) => (sortKey, descending) switch
    {
        ("name", false) => rows.OrderBy(r => EF.Functions.Collate(r.Name, SampleApp.NaturalCollation)).ThenBy(r => r.Id),
        ("name", true) => rows.OrderByDescending(r => EF.Functions.Collate(r.Name, SampleApp.NaturalCollation)).ThenByDescending(r => r.Id),
        ("sessions", false) => rows.OrderBy(r => r.Sessions).ThenBy(r => r.Id),
        ("sessions", true) => rows.OrderByDescending(r => r.Sessions).ThenByDescending(r => r.Id),
        ("participants", false) => rows.OrderBy(r => r.Participants).ThenBy(r => r.Id),
        ("participants", true) => rows.OrderByDescending(r => r.Participants).ThenByDescending(r => r.Id),
        ("messages", false) => rows.OrderBy(r => r.HumanMessages).ThenBy(r => r.Id),
        ("messages", true) => rows.OrderByDescending(r => r.HumanMessages).ThenByDescending(r => r.Id),
        (_, false) => rows.OrderBy(r => r.LastActivityOrMinValue).ThenBy(r => r.Id),
        _ => rows.OrderByDescending(r => r.LastActivityOrMinValue).ThenByDescending(r => r.Id),
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

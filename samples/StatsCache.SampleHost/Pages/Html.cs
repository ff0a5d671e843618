using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// The shared layout and formatting of the sample's pages: plain server-rendered HTML, no client
/// framework. Every value that reaches the page goes through <see cref="E"/> (or is a number
/// formatted here), so names from the database cannot inject markup.
/// </summary>
internal static partial class Html
{
    public static IResult Page(string title, StringBuilder body, int statusCode = StatusCodes.Status200OK) =>
        Results.Content(
            $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{E(title)}} · StatsCache sample</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:1.5rem 2rem;color:#111}table{border-collapse:collapse;margin:.5rem 0}
            th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th a{color:inherit}th.sorted{text-decoration:underline}
            svg.spark polyline{fill:none;stroke:#2563eb;stroke-width:1.5}svg.spark rect.coarse{fill:#cbd5e1}svg.spark line{stroke:#e5e7eb}svg.spark line.top{stroke:#f1f5f9;stroke-dasharray:2 2}
            svg.chart rect{fill:#2563eb}svg.chart rect.slow{fill:#dc2626}svg.chart text{font-size:10px;fill:#555}svg.chart line{stroke:#d1d5db}svg.chart polyline{fill:none;stroke-width:1.5}
            .note{color:#555;font-size:.9em}nav.pager a,nav.pager span{margin-right:.6rem}nav.pager .current{font-weight:700}.toggle b{font-weight:600}
            nav.top{margin-bottom:1rem}nav.top a{margin-right:1rem}.banner{background:#f1f5f9;border-left:4px solid #2563eb;padding:.4rem .8rem;margin:.5rem 0}
            .error{background:#fef2f2;border-left:4px solid #dc2626;padding:.6rem 1rem}td.diff{background:#fef9c3}td.bad{background:#fee2e2}
            form.inline{display:inline}input[type=search]{padding:.2rem .4rem}
            </style>
            </head><body><nav class=top><a href="/">Teams</a><a href="/admin">Cache admin</a><a href="/health">Health</a></nav>{{body}}</body></html>
            """,
            "text/html; charset=utf-8",
            statusCode: statusCode);

    /// <summary>An error page: what went wrong, in a sentence, and a link back to somewhere that works.</summary>
    public static IResult ErrorPage(int statusCode, string title, string message, string backHref, string backLabel)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture,
            $"<h1>{E(title)}</h1><p class=error>{E(message)}</p><p><a href=\"{backHref}\">{E(backLabel)}</a></p>");
        return Page(title, html, statusCode);
    }

    /// <summary>HTML-encodes text for an element or a quoted attribute.</summary>
    public static string E(string value) => HtmlEncoder.Default.Encode(value);

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string When(DateTime? value) =>
        value is { } v ? E(v.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC") : "—";

    /// <summary>A run's detail with its ISO 8601 instants (<c>2026-12-01T22:00:00.0000000Z</c>) written as "2026-12-01 22:00:00".</summary>
    public static string Readable(string? detail) =>
        detail is null ? "" : IsoInstant().Replace(detail, m => m.Groups[2].Value == "00:00:00" ? m.Groups[1].Value : $"{m.Groups[1].Value} {m.Groups[2].Value}");

    [System.Text.RegularExpressions.GeneratedRegex(@"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z")]
    private static partial System.Text.RegularExpressions.Regex IsoInstant();

    /// <summary>A readable instant with how long ago it was: "2026-12-01 22:56:33 UTC (3 min ago)".</summary>
    public static string WhenAgo(DateTime? value, DateTime now) =>
        value is { } v ? WhenExact(v) + E($" ({Ago(now - v)})") : "—";

    public static string Ago(TimeSpan age) => age < TimeSpan.FromSeconds(1) ? "just now" : Duration(age) + " ago";

    /// <summary>When, to the second: real-time reads are exact to it, so show it.</summary>
    public static string WhenExact(DateTime? value) =>
        value is { } v ? E(v.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC") : "—";

    public static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:F1} days")
        : span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:F1} h")
        : span.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:F1} min")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:F0} s");

    /// <summary>
    /// A link target with a query string, ready for an href attribute: the values are URL-encoded by
    /// <see cref="QueryString"/>, then the whole is HTML-encoded (the &amp; between parameters).
    /// Parameters whose value is null are left out, so defaults keep URLs short.
    /// </summary>
    public static string Href(string path, params (string Key, string? Value)[] query) =>
        E(path + QueryString.Create(query.Where(q => q.Value is not null).Select(q => KeyValuePair.Create(q.Key, q.Value))));

    /// <summary>Previous / next links and the page numbers around the current one, with the totals.</summary>
    public static void AppendPager(StringBuilder html, int page, int pages, long total, string noun, Func<int, string> href)
    {
        html.Append("<nav class=pager>");
        html.Append(page > 1 ? $"<a href=\"{href(page - 1)}\">‹ Previous</a>" : "<span>‹ Previous</span>");
        foreach (var p in Enumerable.Range(1, pages).Where(p => p == 1 || p == pages || Math.Abs(p - page) <= 3))
        {
            if (p == pages && pages > 1 && page + 3 < pages - 1)
            {
                html.Append("<span>…</span>");
            }

            html.Append(p == page
                ? string.Create(CultureInfo.InvariantCulture, $"<span class=current aria-current=page>{p}</span>")
                : string.Create(CultureInfo.InvariantCulture, $"<a href=\"{href(p)}\">{p}</a>"));
            if (p == 1 && page - 3 > 2)
            {
                html.Append("<span>…</span>");
            }
        }

        html.Append(page < pages ? $"<a href=\"{href(page + 1)}\">Next ›</a>" : "<span>Next ›</span>");
        html.Append(CultureInfo.InvariantCulture, $"<span class=note>Page {page} of {pages} · {N(total)} {E(noun)}</span>");
        html.Append("</nav>");
    }

    /// <summary>Pages needed for <paramref name="total"/> rows (at least one, so an empty list still has page 1).</summary>
    public static int PageCount(long total, int pageSize) => (int)Math.Max(1, (total + pageSize - 1) / pageSize);

    /// <summary>A 1-based page number from the query string; null (with the reason) for text or a number below 1.</summary>
    public static int? ParsePage(string? page) =>
        page is null ? 1
        : int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 100_000 ? p
        : null;
}

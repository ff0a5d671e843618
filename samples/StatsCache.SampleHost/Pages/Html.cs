using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// The shared layout and formatting of the sample's pages: plain server-rendered HTML, no client
/// framework. Every value that reaches the page goes through <see cref="E"/> (or is a number
/// formatted here), so names from the database cannot inject markup.
/// </summary>
internal static class Html
{
    public static IResult Page(string title, StringBuilder body) =>
        Results.Content(
            $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}} · StatsCache sample</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}
            th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}
            td.n{text-align:right;font-variant-numeric:tabular-nums}th a{color:inherit}th.sorted{text-decoration:underline}
            svg.spark polyline{fill:none;stroke:#2563eb;stroke-width:1.5}svg.spark rect.coarse{fill:#cbd5e1}svg.spark line{stroke:#e5e7eb}
            .note{color:#555;font-size:.9em}nav.pager a,nav.pager span{margin-right:.8rem}.toggle b{font-weight:600}
            </style>
            </head><body>{{body}}</body></html>
            """,
            "text/html; charset=utf-8");

    /// <summary>HTML-encodes text for an element or a quoted attribute.</summary>
    public static string E(string value) => HtmlEncoder.Default.Encode(value);

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string When(DateTime? value) =>
        value is { } v ? E(v.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC") : "—";

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

    /// <summary>Previous / next links. Pages are found with one extra row (Take(size + 1)) rather than a COUNT, so there is no "of N".</summary>
    public static void AppendPager(StringBuilder html, int page, bool hasNext, Func<int, string> href)
    {
        html.Append("<nav class=pager>");
        html.Append(page > 1 ? $"<a href=\"{href(page - 1)}\">‹ Previous</a>" : "<span>‹ Previous</span>");
        html.Append(CultureInfo.InvariantCulture, $"<span>Page {page}</span>");
        html.Append(hasNext ? $"<a href=\"{href(page + 1)}\">Next ›</a>" : "<span>Next ›</span>");
        html.Append("</nav>");
    }

    /// <summary>A 1-based page number from the query string, kept in a range whose offset cannot overflow.</summary>
    public static int PageNumber(int? page) => Math.Clamp(page ?? 1, 1, 100_000);
}

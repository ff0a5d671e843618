using System.Globalization;
using System.Text;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// Draws a series of human messages per day as a small inline SVG, on the server.
/// </summary>
/// <remarks>
/// Points are placed by time, not by index, so a 23- or 25-hour local day and a gap stay where they
/// belong. Where the cache keeps a range coarser than a day (older than its daily retention it keeps
/// months), the series returns that stored point as it is: it is drawn as a grey bar across its span
/// at its average per day, not as one tall spike, and <see cref="HasCoarsePoints"/> lets the page say so.
/// </remarks>
internal static class Sparkline
{
    public static bool HasCoarsePoints(IReadOnlyList<SeriesPoint> points) => points.Any(p => p.Size > BucketSize.Day);

    /// <summary>A coarse point's height is its per-day average, so it compares with the day points around it.</summary>
    public static double PerDay(SeriesPoint p) => p.Size > BucketSize.Day ? p.HumanMessageCount / Math.Max(1, (p.End - p.Start).TotalDays) : p.HumanMessageCount;

    /// <summary>The highest per-day value of the series: the top of a scale that fits them all.</summary>
    public static double Max(IEnumerable<IReadOnlyList<SeriesPoint>> series) =>
        Math.Max(1, series.SelectMany(s => s).Select(PerDay).DefaultIfEmpty(0).Max());

    /// <param name="points">The series of one experiment over [<paramref name="from"/>, <paramref name="to"/>); nothing is drawn outside it.</param>
    /// <param name="label">Accessible description (encoded here).</param>
    /// <param name="scaleMax">The value at the top of the chart: the same for every row of a page, so rows compare; default the series' own maximum.</param>
    public static string Render(IReadOnlyList<SeriesPoint> points, DateTime from, DateTime to, string label, int width = 160, int height = 28, double? scaleMax = null)
    {
        var span = (to - from).TotalSeconds;
        double X(DateTime t) => Math.Clamp((t - from).TotalSeconds / span, 0, 1) * width;
        points = points.Where(p => p.End > from && p.Start < to).ToList();
        var max = scaleMax ?? Max([points]);
        const double Pad = 2;
        double Y(double value) => height - Pad - (value / max * (height - 2 * Pad));

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=spark width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Html.E(label)}\"><title>{Html.E(label)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"0\" y1=\"{height - Pad}\" x2=\"{width}\" y2=\"{height - Pad}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=top x1=\"0\" y1=\"{Pad}\" x2=\"{width}\" y2=\"{Pad}\"/>");

        foreach (var p in points.Where(p => p.Size > BucketSize.Day))
        {
            var x0 = X(p.Start);
            var y = Y(PerDay(p));
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect class=coarse x=\"{x0:F1}\" y=\"{y:F1}\" width=\"{Math.Max(1, X(p.End) - x0):F1}\" height=\"{height - Pad - y:F1}\"><title>{Html.E(CoarseLabel(p))}</title></rect>");
        }

        var fine = points.Where(p => p.Size <= BucketSize.Day).OrderBy(p => p.Start).ToList();
        if (fine.Count > 0)
        {
            // A lone point still needs two vertices to show as a line.
            List<(double X, double Y)> vertices = fine.Count == 1
                ? [(X(fine[0].Start), Y(fine[0].HumanMessageCount)), (X(fine[0].End), Y(fine[0].HumanMessageCount))]
                : fine.Select(p => (X(p.Start + ((p.End - p.Start) / 2)), Y(p.HumanMessageCount))).ToList();
            svg.Append("<polyline points=\"");
            svg.AppendJoin(' ', vertices.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.X:F1},{v.Y:F1}")));
            svg.Append("\"/>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>What a sparkline shows, in words: its title and accessible label.</summary>
    public static string Describe(IReadOnlyList<SeriesPoint> points, TrendWindow window)
    {
        var days = points.Where(p => p.Size <= BucketSize.Day).ToList();
        var text = string.Create(CultureInfo.InvariantCulture,
            $"human messages per day from {window.From:yyyy-MM-dd} to {window.To.AddDays(-1):yyyy-MM-dd}: {days.Sum(p => p.HumanMessageCount):N0} in {days.Count} days, at most {days.Select(p => p.HumanMessageCount).DefaultIfEmpty().Max():N0} a day");
        return days.Count == points.Count
            ? text
            : text + string.Create(CultureInfo.InvariantCulture, $"; before {days.Select(p => p.Start).DefaultIfEmpty(window.To).Min():yyyy-MM-dd} the cache keeps whole months (grey: their average per day)");
    }

    private static string CoarseLabel(SeriesPoint p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.Start:yyyy-MM-dd} to {p.End:yyyy-MM-dd}: {p.HumanMessageCount:N0} human messages, stored as one {(p.Size == BucketSize.Month ? "month" : p.Size.ToString())}");
}

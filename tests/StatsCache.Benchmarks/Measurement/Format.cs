using System.Globalization;

namespace StatsCache.Benchmarks.Measurement;

/// <summary>Number formatting for the console and the report (invariant culture).</summary>
internal static class Format
{
    public static string Ms(double ms) => double.IsNaN(ms) ? "–"
        : ms >= 10_000 ? (ms / 1000).ToString("F1", CultureInfo.InvariantCulture) + " s"
        : ms >= 100 ? ms.ToString("F0", CultureInfo.InvariantCulture) + " ms"
        : ms >= 10 ? ms.ToString("F1", CultureInfo.InvariantCulture) + " ms"
        : ms.ToString("F2", CultureInfo.InvariantCulture) + " ms";

    public static string Ratio(double ratio) => double.IsNaN(ratio) || double.IsInfinity(ratio) ? "–"
        : ratio >= 100 ? ratio.ToString("N0", CultureInfo.InvariantCulture) + "×"
        : ratio >= 10 ? ratio.ToString("F1", CultureInfo.InvariantCulture) + "×"
        : ratio.ToString("F2", CultureInfo.InvariantCulture) + "×";

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Mb(long bytes) => (bytes / 1024d / 1024d).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    public static string Percent(double fraction) => (fraction * 100).ToString(fraction < 0.01 ? "F3" : "F1", CultureInfo.InvariantCulture) + "%";

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

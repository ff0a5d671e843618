namespace StatsCache.Benchmarks.Measurement;

/// <summary>What a measured variant is, relative to the scenario's StatsCache variant.</summary>
public enum SeriesRole
{
    /// <summary>StatsCache itself: ratios are computed against it.</summary>
    Subject,

    /// <summary>Another way to get the same numbers (live SQL, the seed's approach, a materialized view): ratio = baseline ÷ StatsCache.</summary>
    Baseline,

    /// <summary>A lower bound StatsCache cannot beat (a scan that writes nothing, the best hand-written query): ratio = StatsCache ÷ bound.</summary>
    Bound,

    /// <summary>Shown for context; no ratio.</summary>
    Info,
}

/// <summary>The timings of one variant of a scenario, in milliseconds, warm-ups excluded.</summary>
public sealed class Series(string name, SeriesRole role)
{
    public string Name { get; init; } = name;

    public SeriesRole Role { get; init; } = role;

    public List<double> Milliseconds { get; init; } = [];

    /// <summary>Anything else worth reporting per variant (statements, rows written, plan notes).</summary>
    public Dictionary<string, string> Notes { get; init; } = [];

    public double Median
    {
        get
        {
            if (Milliseconds.Count == 0)
            {
                return double.NaN;
            }

            var sorted = Milliseconds.Order().ToArray();
            var middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    public double Min => Milliseconds.Count == 0 ? double.NaN : Milliseconds.Min();

    public double Max => Milliseconds.Count == 0 ? double.NaN : Milliseconds.Max();
}

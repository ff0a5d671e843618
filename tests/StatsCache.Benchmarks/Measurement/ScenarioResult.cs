namespace StatsCache.Benchmarks.Measurement;

/// <summary>One scenario: its variants measured side by side in the same run, and the targets it is held to.</summary>
public sealed class ScenarioResult(string key, string title, string description)
{
    public string Key { get; init; } = key;

    public string Title { get; init; } = title;

    /// <summary>What is measured and how each baseline is implemented.</summary>
    public string Description { get; init; } = description;

    public List<Series> Series { get; init; } = [];

    public List<TargetCheck> Targets { get; init; } = [];

    public List<string> Notes { get; init; } = [];

    public Series Add(string name, SeriesRole role)
    {
        var series = new Series(name, role);
        Series.Add(series);
        return series;
    }

    public Series? Subject => Series.FirstOrDefault(s => s.Role == SeriesRole.Subject);

    public Series Get(string name) => Series.First(s => s.Name == name);
}

/// <summary>A target from the issue and whether this run met it; a miss says by how much.</summary>
public sealed record TargetCheck(string Target, string Actual, bool? Met)
{
    /// <summary>"value ≤ limit" (times, ratios where lower is better).</summary>
    public static TargetCheck AtMost(string target, double actual, double limit, Func<double, string> format) =>
        new(target, actual <= limit ? format(actual) : $"{format(actual)} — missed by {Format.Ratio(actual / limit)}", actual <= limit);

    /// <summary>"value ≥ limit" (speed-ups).</summary>
    public static TargetCheck AtLeast(string target, double actual, double limit, Func<double, string> format) =>
        new(target, actual >= limit ? format(actual) : $"{format(actual)} — missed: {Format.Percent(actual / limit)} of the target", actual >= limit);
}

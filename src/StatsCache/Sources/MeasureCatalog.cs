namespace StatsCache.Sources;

/// <summary>
/// The one list of a cache's count and sum measures: the ones the library declares for every host (none yet) followed by
/// the host's own (<see cref="StatisticsCacheOptions.Measures"/>). Validation, resolution and so every statement read it,
/// so a new library-declared count or sum is one entry here (its source an option of its own), not a new statement.
/// </summary>
internal static class MeasureCatalog
{
    /// <summary>
    /// The library's measures, each from its source option when the host configured it, then the host's.
    /// To add one: a <see cref="MeasureSourceOptions"/> property on <see cref="StatisticsCacheOptions"/>, and here
    /// <c>if (options.ToolCalls.IsConfigured) yield return Declare("tool_calls", MeasureAggregate.Count, options.ToolCalls);</c>.
    /// </summary>
    public static IReadOnlyList<MeasureOptions> Declared(StatisticsCacheOptions options) => [.. options.Measures];

    /// <summary>A library-declared measure over <paramref name="source"/>.</summary>
    internal static MeasureOptions Declare(string name, MeasureAggregate aggregate, MeasureSourceOptions source) =>
        new MeasureOptions { Name = name, Aggregate = aggregate }.WithSource(source);
}

namespace StatsCache.Sources;

/// <summary>The kinds of source rows the cache reads: the built-in three, and the rows of a host-declared measure.</summary>
internal enum SourceRole
{
    Sessions,
    HumanMessages,
    Versions,

    /// <summary>The rows a host-declared measure counts or sums (<see cref="StatsCache.MeasureOptions"/>), named by the mapping.</summary>
    Measure,
}

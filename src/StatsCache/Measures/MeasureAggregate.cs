namespace StatsCache;

/// <summary>How a host-declared measure (<see cref="MeasureOptions"/>) aggregates its source rows.</summary>
public enum MeasureAggregate
{
    /// <summary>The number of source rows (e.g. bot messages).</summary>
    Count,

    /// <summary>The sum of the source's integer <c>value</c> column (e.g. tokens used); rows with a null value add nothing.</summary>
    Sum,
}

namespace StatsCache;

/// <summary>
/// A statistic the host declares on top of the built-in ones: a <see cref="MeasureAggregate.Count"/> or
/// <see cref="MeasureAggregate.Sum"/> of its own rows (<see cref="Source"/>), kept per experiment (bucketed in time,
/// with a totals row) and per session, exactly like human messages. Read it from the <c>Measures</c> dictionary of
/// <see cref="ExperimentStats"/>, <see cref="SessionStats"/> and <see cref="SeriesPoint"/>, keyed by <see cref="Name"/>;
/// sort and page by it with <c>dbContext.Set&lt;ExperimentMeasure&gt;()</c>.
/// </summary>
/// <remarks>
/// A measure added to a cache that is already built is built from the whole history by the next maintenance call
/// (in one transaction) and read live until then; one removed from the options is forgotten (its rows are deleted),
/// and one whose definition changed is rebuilt. Counts and sums never go down unless
/// <see cref="StatisticsCacheOptions.Deletions"/> is <see cref="SourceDeletions.Mirror"/>, as for human messages.
/// </remarks>
public sealed class MeasureOptions
{
    /// <summary>The measure's name: a plain lower-case identifier (<c>bot_messages</c>), unique in the cache, at most 63 characters.</summary>
    public string Name { get; set; } = "";

    /// <summary>How the source rows are aggregated. Default <see cref="MeasureAggregate.Count"/>.</summary>
    public MeasureAggregate Aggregate { get; set; } = MeasureAggregate.Count;

    /// <summary>Where the measure's rows live. Required.</summary>
    public MeasureSourceOptions Source { get; private set; } = new();

    /// <summary>This measure with <paramref name="source"/> as its source (the resolution's copy).</summary>
    internal MeasureOptions WithSource(MeasureSourceOptions source)
    {
        Source = source;
        return this;
    }
}

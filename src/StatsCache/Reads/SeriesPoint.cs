namespace StatsCache;

/// <summary>
/// One point of a trend series: the statistics of [<see cref="Start"/>, <see cref="End"/>).
/// <see cref="Size"/> is the point's own span: larger than the requested granularity where the
/// cache keeps that range coarser (e.g. months for last year); its values are then those of the whole span.
/// </summary>
public sealed record SeriesPoint
{
    // First: static initialisers run in order, and Empty (below) reads it.
    private static readonly IReadOnlyDictionary<string, long> NoMeasures = new Dictionary<string, long>();

    /// <summary>Start of the span (UTC).</summary>
    public required DateTime Start { get; init; }

    /// <summary>Exclusive end of the span (UTC).</summary>
    public required DateTime End { get; init; }

    /// <summary>The span's bucket size.</summary>
    public required BucketSize Size { get; init; }

    /// <summary>Sessions started in the span.</summary>
    public long SessionCount { get; init; }

    /// <summary>Participants whose first session with the experiment started in the span.</summary>
    public long NewParticipantCount { get; init; }

    /// <summary>Human messages in the span.</summary>
    public long HumanMessageCount { get; init; }

    /// <summary>Last human message in the span, if any (UTC).</summary>
    public DateTime? LastActivity { get; init; }

    /// <summary>
    /// The host-declared measures (<see cref="StatisticsCacheOptions.Measures"/>) by name: the count or sum over the span's rows of each
    /// measure's source. Every declared measure has an entry (zero when nothing was recorded); empty when none is declared.
    /// </summary>
    public IReadOnlyDictionary<string, long> Measures { get; init; } = NoMeasures;

    /// <summary>An empty period (zero-filled).</summary>
    /// <param name="start">Start of the period (UTC).</param>
    /// <param name="size">The period's size.</param>
    /// <param name="zone">The reporting time zone of days and months; null is UTC.</param>
    public static SeriesPoint Empty(DateTime start, BucketSize size, ReportingTimeZone? zone = null) =>
        new() { Start = start, End = BucketCalendar.End(start, size, zone), Size = size };

    /// <summary>Equal when every statistic is, the measures compared by content.</summary>
    /// <param name="other">The result to compare with.</param>
    /// <returns>Whether both hold the same numbers.</returns>
    public bool Equals(SeriesPoint? other) =>
        other is not null && Start == other.Start && End == other.End && Size == other.Size && SessionCount == other.SessionCount && NewParticipantCount == other.NewParticipantCount && HumanMessageCount == other.HumanMessageCount && LastActivity == other.LastActivity
        && Reads.MeasureEquality.Equal(Measures, other.Measures);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Start, End, Size, SessionCount, NewParticipantCount, HumanMessageCount, LastActivity, Reads.MeasureEquality.Hash(Measures));
}

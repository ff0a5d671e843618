namespace StatsCache;

/// <summary>
/// The statistics of one session, as a sessions list page shows them. The reads return them in a
/// dictionary keyed by the session's id, in the host's own key type.
/// </summary>
public sealed record SessionStats
{
    // First: static initialisers run in order, and Empty (below) reads it.
    private static readonly IReadOnlyDictionary<string, long> NoMeasures = new Dictionary<string, long>();

    /// <summary>Number of human messages.</summary>
    public long HumanMessageCount { get; init; }

    /// <summary>Time of the last human message, if any (UTC).</summary>
    public DateTime? LastActivity { get; init; }

    /// <summary>
    /// The host-declared measures (<see cref="StatisticsCacheOptions.Measures"/>) by name: the count or sum over all the session's rows of each
    /// measure's source. Every declared measure has an entry (zero when nothing was recorded); empty when none is declared.
    /// </summary>
    public IReadOnlyDictionary<string, long> Measures { get; init; } = NoMeasures;

    /// <summary>Distinct chatbot version labels the session talked to, in ordinal order.</summary>
    public IReadOnlyList<string> Versions { get; init; } = [];

    /// <summary>The statistics of a session with no human message (or not visible to the team): zeros, no versions.</summary>
    public static SessionStats Empty { get; } = new();

    /// <summary>Equal when every statistic is, the measures compared by content.</summary>
    /// <param name="other">The result to compare with.</param>
    /// <returns>Whether both hold the same numbers.</returns>
    public bool Equals(SessionStats? other) =>
        other is not null && HumanMessageCount == other.HumanMessageCount && LastActivity == other.LastActivity
        && Versions.SequenceEqual(other.Versions, StringComparer.Ordinal) && Reads.MeasureEquality.Equal(Measures, other.Measures);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(HumanMessageCount, LastActivity, Reads.MeasureEquality.Hash(Versions), Reads.MeasureEquality.Hash(Measures));
}

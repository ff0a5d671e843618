namespace StatsCache;

/// <summary>
/// The statistics of one experiment, as a chatbots list page shows them. The reads return them in a
/// dictionary keyed by the experiment's id, in the host's own key type.
/// </summary>
public sealed record ExperimentStats
{
    // First: static initialisers run in order, and Empty (below) reads it.
    private static readonly IReadOnlyDictionary<string, long> NoMeasures = new Dictionary<string, long>();

    /// <summary>Number of sessions.</summary>
    public long SessionCount { get; init; }

    /// <summary>Number of distinct participants (sessions without a participant are not counted).</summary>
    public long ParticipantCount { get; init; }

    /// <summary>Number of human messages.</summary>
    public long HumanMessageCount { get; init; }

    /// <summary>Time of the last human message, if any (UTC).</summary>
    public DateTime? LastActivity { get; init; }

    /// <summary>
    /// The host-declared measures (<see cref="StatisticsCacheOptions.Measures"/>) by name: the count or sum over all the experiment's rows of each
    /// measure's source. Every declared measure has an entry (zero when nothing was recorded); empty when none is declared.
    /// </summary>
    public IReadOnlyDictionary<string, long> Measures { get; init; } = NoMeasures;

    /// <summary>The statistics of an experiment with no recorded activity (or not visible to the team): all zeros.</summary>
    public static ExperimentStats Empty { get; } = new();

    /// <summary>Equal when every statistic is, the measures compared by content.</summary>
    /// <param name="other">The result to compare with.</param>
    /// <returns>Whether both hold the same numbers.</returns>
    public bool Equals(ExperimentStats? other) =>
        other is not null && SessionCount == other.SessionCount && ParticipantCount == other.ParticipantCount && HumanMessageCount == other.HumanMessageCount && LastActivity == other.LastActivity
        && Reads.MeasureEquality.Equal(Measures, other.Measures);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(SessionCount, ParticipantCount, HumanMessageCount, LastActivity, Reads.MeasureEquality.Hash(Measures));
}

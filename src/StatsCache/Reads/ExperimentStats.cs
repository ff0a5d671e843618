namespace StatsCache;

/// <summary>
/// The statistics of one experiment, as a chatbots list page shows them. The reads return them in a
/// dictionary keyed by the experiment's id, in the host's own key type.
/// </summary>
public sealed record ExperimentStats
{
    /// <summary>Number of sessions.</summary>
    public long SessionCount { get; init; }

    /// <summary>Number of distinct participants (sessions without a participant are not counted).</summary>
    public long ParticipantCount { get; init; }

    /// <summary>Number of human messages.</summary>
    public long HumanMessageCount { get; init; }

    /// <summary>Time of the last human message, if any (UTC).</summary>
    public DateTime? LastActivity { get; init; }

    /// <summary>The statistics of an experiment with no recorded activity (or not visible to the team): all zeros.</summary>
    public static ExperimentStats Empty { get; } = new();
}

namespace StatsCache;

/// <summary>The statistics of one experiment, as a chatbots list page shows them.</summary>
public sealed record ExperimentStats
{
    /// <summary>The experiment.</summary>
    public required long ExperimentId { get; init; }

    /// <summary>Number of sessions.</summary>
    public long SessionCount { get; init; }

    /// <summary>Number of distinct participants (sessions without a participant are not counted).</summary>
    public long ParticipantCount { get; init; }

    /// <summary>Number of human messages.</summary>
    public long HumanMessageCount { get; init; }

    /// <summary>Time of the last human message, if any (UTC).</summary>
    public DateTime? LastActivity { get; init; }

    /// <summary>The statistics of an experiment with no recorded activity (or not visible to the team).</summary>
    /// <param name="experimentId">The experiment.</param>
    public static ExperimentStats Empty(long experimentId) => new() { ExperimentId = experimentId };
}

namespace StatsCache;

/// <summary>
/// The statistics of one session, as a sessions list page shows them. The reads return them in a
/// dictionary keyed by the session's id, in the host's own key type.
/// </summary>
public sealed record SessionStats
{
    /// <summary>Number of human messages.</summary>
    public long HumanMessageCount { get; init; }

    /// <summary>Time of the last human message, if any (UTC).</summary>
    public DateTime? LastActivity { get; init; }

    /// <summary>Distinct chatbot version labels the session talked to, in ordinal order.</summary>
    public IReadOnlyList<string> Versions { get; init; } = [];

    /// <summary>The statistics of a session with no human message (or not visible to the team): zeros, no versions.</summary>
    public static SessionStats Empty { get; } = new();
}

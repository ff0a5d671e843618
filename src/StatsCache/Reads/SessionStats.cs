namespace StatsCache;

/// <summary>The statistics of one session, as a sessions list page shows them.</summary>
public sealed record SessionStats
{
    /// <summary>The session.</summary>
    public required long SessionId { get; init; }

    /// <summary>Number of human messages.</summary>
    public long HumanMessageCount { get; init; }

    /// <summary>Time of the last human message, if any (UTC).</summary>
    public DateTime? LastActivity { get; init; }

    /// <summary>Distinct chatbot version labels the session talked to, in ordinal order.</summary>
    public IReadOnlyList<string> Versions { get; init; } = [];

    /// <summary>The statistics of a session with no human message (or not visible to the team).</summary>
    /// <param name="sessionId">The session.</param>
    public static SessionStats Empty(long sessionId) => new() { SessionId = sessionId };
}

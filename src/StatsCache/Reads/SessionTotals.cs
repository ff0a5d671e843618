namespace StatsCache.Reads;

/// <summary>Totals of one session, as a sessions list page shows them.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="HumanMessages">Number of human messages.</param>
/// <param name="LastActivity">Time of the last human message, if any (UTC).</param>
/// <param name="Versions">Distinct chatbot version labels the session talked to, in ordinal order.</param>
public sealed record SessionTotals(long SessionId, long HumanMessages, DateTime? LastActivity, IReadOnlyList<string> Versions)
{
    /// <summary>The totals of a session with no human message (or not visible to the team).</summary>
    public static SessionTotals Empty(long sessionId) => new(sessionId, 0, null, []);
}

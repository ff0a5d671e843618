namespace StatsCache.TestSupport.Host;

/// <summary>How the host keys its rows: the two shapes the cache must serve exactly.</summary>
public enum HostShape
{
    /// <summary>Session ids unique across teams; version tags carry no team (<see cref="HostDbContext"/>).</summary>
    GlobalSessionIds,

    /// <summary>
    /// Ids unique only within a team: sessions keyed (team_id, id), experiments (team_id, id), and
    /// version tags carrying their team (<see cref="TeamScopedHostDbContext"/>). Every team numbers its
    /// sessions from the same start, so teams share session, experiment and participant ids.
    /// </summary>
    TeamScopedIds,
}

using Microsoft.EntityFrameworkCore;
using StatsCache.Benchmarks.Host;
using StatsCache.Storage;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>One row of the sessions page.</summary>
public sealed record SessionRow(long Id, long? ParticipantId, DateTime CreatedAt, long HumanMessages, DateTime? LastActivity);

/// <summary>The sessions page of one chatbot: 50 sessions, newest activity first, every way it is measured.</summary>
internal static class SessionsPageQueries
{
    public const int PageSize = 50;

    /// <summary>
    /// The host's LINQ: the cache's one-row-per-session entity (every started session has one), ordered
    /// as its index is (team, experiment, last activity desc; inactive sessions last), joined to the
    /// host's sessions for the page's columns.
    /// </summary>
    public static IQueryable<SessionRow> StatsCache(BenchDbContext db, long team, long experiment) =>
        (from st in db.Set<SessionStatistics>().AsNoTracking()
         where st.TeamId == team && st.ExperimentId == experiment
         join s in db.Sessions.AsNoTracking() on new { st.TeamId, Id = st.SessionId } equals new { s.TeamId, s.Id }
         orderby st.LastActivityOrMinValue descending, st.SessionId
         select new SessionRow(s.Id, s.ParticipantId, s.CreatedAt, st.HumanMessageCount, st.LastActivity))
        .Take(PageSize);

    /// <summary>The same, hand-written.</summary>
    public const string HandWrittenSql = $"""
        SELECT x.id, x.participant_id, x.created_at, s.human_message_count, s.last_activity
        FROM (SELECT session_id, human_message_count, last_activity, last_activity_or_min FROM {CacheTableNames.SessionStatistics}
              WHERE team_id = @team AND experiment_id = @experiment
              ORDER BY last_activity_or_min DESC, session_id LIMIT 50) AS s
        JOIN chat_sessions AS x ON x.id = s.session_id
        ORDER BY s.last_activity_or_min DESC, s.session_id
        """;

    /// <summary>What the page runs today: per session, correlated sub-queries over its messages, for every session of the chatbot.</summary>
    public const string LiveSql = """
        SELECT s.id, s.participant_id, s.created_at,
               (SELECT count(*) FROM chat_messages AS m WHERE m.session_id = s.id AND m.is_human) AS human_messages,
               (SELECT max(m.created_at) FROM chat_messages AS m WHERE m.session_id = s.id AND m.is_human) AS last_activity
        FROM chat_sessions AS s
        WHERE s.team_id = @team AND s.experiment_id = @experiment
        ORDER BY last_activity DESC NULLS LAST, s.id
        LIMIT 50
        """;
}

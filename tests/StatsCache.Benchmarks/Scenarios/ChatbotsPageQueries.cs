using Microsoft.EntityFrameworkCore;
using StatsCache.Benchmarks.Host;
using StatsCache.Storage;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>One row of the chatbots page.</summary>
public sealed record ChatbotRow(long Id, string Name, long Sessions, long Participants, long HumanMessages, DateTime? LastActivity);

/// <summary>
/// The chatbots page, every way it is measured: the team's experiments with their four statistics,
/// 25 rows sorted by last activity (newest first, never-active last, id as tie-break).
/// </summary>
/// <remarks>
/// THE ONE PLACE TO SWITCH when the library's keyless <c>ExperimentStatistics</c> entity lands:
/// <see cref="StatsCacheAsync"/> composes the per-experiment sums over the public
/// <see cref="ExperimentBucket"/> entity today; replace the <c>stats</c> query with
/// <c>db.Set&lt;ExperimentStatistics&gt;().Where(s =&gt; s.TeamId == team)</c> and nothing else changes.
/// </remarks>
internal static class ChatbotsPageQueries
{
    public const int PageSize = 25;

    /// <summary>How a host pages its own entity query by a cached statistic: one LINQ query, sorted by the database.</summary>
    public static Task<List<ChatbotRow>> StatsCacheAsync(BenchDbContext db, long team, CancellationToken ct) => Query(db, team).ToListAsync(ct);

    /// <summary>The SQL EF Core sends for <see cref="StatsCacheAsync"/>, for the report.</summary>
    public static string ToQueryString(BenchDbContext db, long team) => Query(db, team).ToQueryString();

    private static IQueryable<ChatbotRow> Query(BenchDbContext db, long team)
    {
        var stats = db.Set<ExperimentBucket>()
            .Where(b => b.TeamId == team)
            .GroupBy(b => b.ExperimentId)
            .Select(g => new
            {
                ExperimentId = g.Key,
                Sessions = g.Sum(b => (long)b.SessionCount),
                Participants = g.Sum(b => (long)b.NewParticipantCount),
                HumanMessages = g.Sum(b => b.HumanMessageCount),
                LastActivity = g.Max(b => b.LastActivity),
            });

        return db.Experiments
            .AsNoTracking()
            .Where(e => e.TeamId == team)
            .LeftJoin(stats, e => e.Id, s => s.ExperimentId, (e, s) => new { e, s })
            .OrderBy(x => x.s!.LastActivity == null)
            .ThenByDescending(x => x.s!.LastActivity)
            .ThenBy(x => x.e.Id)
            .Take(PageSize)
            .Select(x => new ChatbotRow(
                x.e.Id,
                x.e.Name,
                x.s == null ? 0 : x.s.Sessions,
                x.s == null ? 0 : x.s.Participants,
                x.s == null ? 0 : x.s.HumanMessages,
                x.s == null ? null : x.s.LastActivity));
    }

    /// <summary>The best hand-written query over the same buckets: the bound the LINQ version is held to (within 1.5×).</summary>
    public const string HandWrittenBucketSql = $"""
        SELECT e.id, e.name, coalesce(t.sessions, 0), coalesce(t.participants, 0), coalesce(t.human_messages, 0), t.last_activity
        FROM experiments AS e
        LEFT JOIN (
            SELECT b.experiment_id,
                   sum(b.session_count)::bigint AS sessions, sum(b.new_participant_count)::bigint AS participants,
                   sum(b.human_message_count)::bigint AS human_messages, max(b.last_activity) AS last_activity
            FROM {StorageTableNames.ExperimentBuckets} AS b
            WHERE b.team_id = @team
            GROUP BY b.experiment_id
        ) AS t ON t.experiment_id = e.id
        WHERE e.team_id = @team
        ORDER BY t.last_activity DESC NULLS LAST, e.id
        LIMIT 25
        """;

    /// <summary>
    /// What a dashboard runs today: correlated sub-queries per experiment, messages reached through
    /// their sessions as in Open Chat Studio (chat → session → experiment). To sort by last activity
    /// every experiment of the team is computed.
    /// </summary>
    public const string LiveSql = """
        SELECT e.id, e.name,
               (SELECT count(*) FROM chat_sessions AS s WHERE s.experiment_id = e.id) AS sessions,
               (SELECT count(DISTINCT s.participant_id) FROM chat_sessions AS s WHERE s.experiment_id = e.id) AS participants,
               (SELECT count(*) FROM chat_messages AS m JOIN chat_sessions AS s ON s.id = m.session_id
                WHERE s.experiment_id = e.id AND m.is_human) AS human_messages,
               (SELECT max(m.created_at) FROM chat_messages AS m JOIN chat_sessions AS s ON s.id = m.session_id
                WHERE s.experiment_id = e.id AND m.is_human) AS last_activity
        FROM experiments AS e
        WHERE e.team_id = @team
        ORDER BY last_activity DESC NULLS LAST, e.id
        LIMIT 25
        """;

    /// <summary>The same page from a materialized view of per-experiment totals (as fresh as its last full refresh).</summary>
    public const string MaterializedViewSql = """
        SELECT e.id, e.name, coalesce(v.sessions, 0), coalesce(v.participants, 0), coalesce(v.human_messages, 0), v.last_activity
        FROM experiments AS e
        LEFT JOIN bench_experiment_totals AS v ON v.experiment_id = e.id
        WHERE e.team_id = @team
        ORDER BY v.last_activity DESC NULLS LAST, e.id
        LIMIT 25
        """;

    /// <summary>A page sorted by something the host owns (name): ids from the host's table, then one batch-totals call.</summary>
    public const string PageIdsByNameSql = "SELECT id FROM experiments WHERE team_id = @team ORDER BY name, id LIMIT 25";
}

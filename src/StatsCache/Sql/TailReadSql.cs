namespace StatsCache.Sql;

/// <summary>
/// Real-time and live reads: cached totals below a point in time plus the source rows at or after
/// it, in one statement. Real-time passes @live = false and takes the point from the watermark
/// (every bucket and session row then holds only rows before it, see the backfill's end); live
/// passes @live = true, which ignores the cache and reads the source from the beginning of time.
/// </summary>
internal static class TailReadSql
{
    /// <summary>
    /// The point the tail starts at, as a scalar expression written where it is used: -infinity for a
    /// live read, else the watermark. Not a CTE read by several parts of the statement: Citus turns
    /// such a CTE into an intermediate result on the coordinator, while a sub-query on the (reference)
    /// state table keeps the read a single-shard router query. PostgreSQL evaluates each once (an InitPlan).
    /// The cached parts are switched off in live mode by <c>(SELECT NOT @live)</c>, a sub-select
    /// PostgreSQL also evaluates once: a bare <c>NOT @live</c> folds to false when planned with the
    /// value, which leaves Citus a join to a table it no longer sees filtered by team, and it answered
    /// that by shipping the whole session table to the coordinator.
    /// </summary>
    private static string Since(CacheSql sql) =>
        $"(CASE WHEN @live THEN '-infinity'::timestamptz ELSE coalesce((SELECT st.watermark FROM {sql.State} AS st WHERE st.cache_name = @cache), '-infinity'::timestamptz) END)";

    /// <summary>
    /// Experiments: the tail's sessions and human messages are found through the host's
    /// created_at indexes; its new participants are those of the tail's sessions with no first-seen
    /// row before the watermark (a keyed lookup in our table), which keeps the distinct count exact.
    /// </summary>
    public static string ExperimentTotals(CacheSql sql) => $"""
        WITH cached AS (
            SELECT b.experiment_id, sum(b.session_count) AS sessions, sum(b.new_participant_count) AS participants,
                   sum(b.human_message_count) AS messages, max(b.last_activity) AS last_activity
            FROM {sql.Buckets} AS b
            WHERE (SELECT NOT @live) AND b.team_id = @team AND b.experiment_id = ANY(@ids) AND b.bucket_start < {Since(sql)}
            GROUP BY b.experiment_id
        ), tail_sessions AS (
            SELECT s.experiment_id, count(*) AS sessions,
                   count(DISTINCT s.participant_id) FILTER (WHERE f.participant_id IS NULL) AS participants
            FROM {sql.Sessions} AS s
            LEFT JOIN {sql.FirstSeen} AS f
              ON (SELECT NOT @live) AND f.team_id = s.team_id AND f.experiment_id = s.experiment_id AND f.participant_id = s.participant_id
             AND f.first_seen_at < {Since(sql)}
            WHERE s.team_id = @team AND s.experiment_id = ANY(@ids) AND s.created_at >= {Since(sql)}
            GROUP BY s.experiment_id
        ), tail_messages AS (
            SELECT m.experiment_id, count(*) AS messages, max(m.created_at) AS last_activity
            FROM {sql.HumanMessages} AS m
            WHERE m.team_id = @team AND m.experiment_id = ANY(@ids) AND m.created_at >= {Since(sql)}
            GROUP BY m.experiment_id
        )
        SELECT e.id,
               (coalesce(c.sessions, 0) + coalesce(ts.sessions, 0))::bigint,
               (coalesce(c.participants, 0) + coalesce(ts.participants, 0))::bigint,
               (coalesce(c.messages, 0) + coalesce(tm.messages, 0))::bigint,
               GREATEST(c.last_activity, tm.last_activity)
        FROM unnest(@ids) AS e(id)
        LEFT JOIN cached AS c ON c.experiment_id = e.id
        LEFT JOIN tail_sessions AS ts ON ts.experiment_id = e.id
        LEFT JOIN tail_messages AS tm ON tm.experiment_id = e.id
        WHERE c.experiment_id IS NOT NULL OR ts.experiment_id IS NOT NULL OR tm.experiment_id IS NOT NULL
        """;

    /// <summary>
    /// Sessions: the session row plus the session's human messages and version tags at or after
    /// the point, each an index range scan on the host's (session_id, created_at) indexes, matched by
    /// team and session id. Version tags with a team column are matched by it; tags without one are
    /// only read for sessions the team owns (session ids are then unique across teams).
    /// </summary>
    public static string SessionTotals(CacheSql sql)
    {
        var teamOwns = sql.VersionsHaveTeam
            ? "v.team_id = @team"
            : $"EXISTS (SELECT 1 FROM {sql.Sessions} AS s WHERE s.session_id = i.id AND s.team_id = @team)";
        var tailVersions = sql.Versions is null
            ? "SELECT '{}'::text[] AS versions"
            : $$"""
              SELECT coalesce(array_agg(DISTINCT v.version::text COLLATE "C"), '{}') AS versions
                  FROM {{sql.Versions}} AS v
                  WHERE v.session_id = i.id AND v.created_at >= {{Since(sql)}}
                    AND {{teamOwns}}
              """;
        return $$"""
            SELECT i.id,
                   (coalesce(st.human_message_count, 0) + tm.messages)::bigint,
                   GREATEST(st.last_activity, tm.last_activity),
                   ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(coalesce(st.versions, '{}') || tv.versions) AS x ORDER BY 1)
            FROM unnest(@ids) AS i(id)
            LEFT JOIN {{sql.SessionStatistics}} AS st ON (SELECT NOT @live) AND st.team_id = @team AND st.session_id = i.id
            CROSS JOIN LATERAL (
                SELECT count(*) AS messages, max(m.created_at) AS last_activity
                FROM {{sql.HumanMessages}} AS m
                WHERE m.session_id = i.id AND m.team_id = @team AND m.created_at >= {{Since(sql)}}
            ) AS tm
            CROSS JOIN LATERAL (
                {{tailVersions}}
            ) AS tv
            """;
    }
}

namespace StatsCache.Sql;

/// <summary>Reads of the per-experiment totals rows (<see cref="CacheSql.Totals"/>).</summary>
internal static class TotalsReadSql
{
    /// <summary>Cached: the experiments' totals rows, found by the primary key (team, experiment).</summary>
    public static string Cached(CacheSql sql) => $"""
        SELECT t.experiment_id, t.session_count, t.participant_count, t.human_message_count, t.last_activity
        FROM {sql.Totals} AS t
        WHERE t.team_id = @team AND t.experiment_id = ANY(@ids)
        """;

    /// <summary>
    /// Real-time: the totals row (every bucket holds only rows before the watermark) plus the source rows at
    /// or after the watermark — sessions and human messages through the host's created_at indexes, new
    /// participants as the tail's participants with no first-seen row before the watermark (a keyed lookup
    /// in our table), which keeps the distinct count exact. The live read is <see cref="TailReadSql.ExperimentTotals"/>.
    /// </summary>
    public static string RealTime(CacheSql sql) => $"""
        WITH since AS (
            SELECT coalesce((SELECT watermark FROM {sql.State} WHERE cache_name = @cache), '-infinity'::timestamptz) AS at
        ), cached AS (
            SELECT t.experiment_id, t.session_count AS sessions, t.participant_count AS participants,
                   t.human_message_count AS messages, t.last_activity
            FROM {sql.Totals} AS t
            WHERE t.team_id = @team AND t.experiment_id = ANY(@ids)
        ), tail_sessions AS (
            SELECT s.experiment_id, count(*) AS sessions,
                   count(DISTINCT s.participant_id) FILTER (WHERE f.participant_id IS NULL) AS participants
            FROM since CROSS JOIN {sql.Sessions} AS s
            LEFT JOIN {sql.FirstSeen} AS f
              ON f.team_id = s.team_id AND f.experiment_id = s.experiment_id AND f.participant_id = s.participant_id
             AND f.first_seen_at < since.at
            WHERE s.team_id = @team AND s.experiment_id = ANY(@ids) AND s.created_at >= since.at
            GROUP BY s.experiment_id
        ), tail_messages AS (
            SELECT m.experiment_id, count(*) AS messages, max(m.created_at) AS last_activity
            FROM since, {sql.HumanMessages} AS m
            WHERE m.team_id = @team AND m.experiment_id = ANY(@ids) AND m.created_at >= since.at
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
}

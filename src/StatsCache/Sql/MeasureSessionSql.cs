namespace StatsCache.Sql;

/// <summary>
/// The host-declared measures' session rows (<see cref="CacheSql.SessionMeasures"/>): one per (team, session, measure)
/// with the measure over all the session's rows before the watermark, the greatest experiment id of those rows and their
/// latest time. Sent in the range's transaction after the built-in session statement.
/// </summary>
internal static class MeasureSessionSql
{
    /// <summary>
    /// One statement over [@from, @to): every session with rows of a measure in the range is recounted whole over its rows
    /// of that measure before @sessions_until (the watermark the operation leaves), as the built-in human message count is
    /// — a merge of the range alone would count an overlapping range (the refresh look-back) twice. Each recount is a
    /// lateral index range scan of the measure's source on (team, session) and created_at. One UNION ALL branch per measure.
    /// Keeping history the row only grows (GREATEST); mirroring deletions, see <see cref="Mirror"/>. Rows that would not
    /// change are not rewritten.
    /// </summary>
    public static string Upsert(CacheSql sql, bool limited)
    {
        if (sql.MirrorDeletions)
        {
            return Mirror(sql, limited);
        }

        var branches = sql.Measures.Select(m => $"""
            SELECT k.team_id, k.session_id, {m.Literal}::varchar(63), w.experiment_id, w.value, w.last_at, @now
            FROM (SELECT DISTINCT x.team_id, x.session_id FROM {m.Source} AS x
                  WHERE x.created_at >= @from AND x.created_at < @to{CacheSql.ExperimentFilter("x", limited)}) AS k
            CROSS JOIN LATERAL (
                {Whole(sql, m, "k")}
            ) AS w
            """);
        return $"""
            INSERT INTO {sql.SessionMeasures} AS s (team_id, session_id, measure, experiment_id, value, last_at, updated_at)
            {string.Join("\nUNION ALL\n", branches)}
            ON CONFLICT (team_id, session_id, measure) DO UPDATE SET
                experiment_id = excluded.experiment_id,
                value = GREATEST(s.value, excluded.value),
                last_at = GREATEST(s.last_at, excluded.last_at),
                updated_at = excluded.updated_at
            -- A refresh re-reads its look-back every run: sessions that would not change are not rewritten.
            WHERE s.experiment_id <> excluded.experiment_id OR s.value < excluded.value
               OR s.last_at IS DISTINCT FROM GREATEST(s.last_at, excluded.last_at)
            """;
    }

    /// <summary>
    /// Mirroring deletions: every session with rows of a measure in [@from, @to), or whose row of that measure records its
    /// latest row there (found by our (measure, last_at) index), is set to exactly what the source holds for it before
    /// @sessions_until; a session with no such row left loses its row (a data-modifying CTE, as the built-in mirror does).
    /// </summary>
    private static string Mirror(CacheSql sql, bool limited)
    {
        var branches = sql.Measures.Select(m => $"""
                SELECT k.team_id, k.session_id, {m.Literal}::varchar(63) AS measure, w.experiment_id, w.value, w.last_at, w.row_count
                FROM (SELECT x.team_id, x.session_id FROM {m.Source} AS x
                      WHERE x.created_at >= @from AND x.created_at < @to{CacheSql.ExperimentFilter("x", limited)}
                      UNION
                      SELECT st.team_id, st.session_id FROM {sql.SessionMeasures} AS st
                      WHERE st.measure = {m.Literal} AND st.last_at >= @from AND st.last_at < @to{CacheSql.ExperimentFilter("st", limited)}) AS k
                CROSS JOIN LATERAL (
                    {Whole(sql, m, "k")}
                ) AS w
            """);
        return $"""
            WITH current AS (
            {string.Join("\n    UNION ALL\n", branches)}
            ), removed AS (
                DELETE FROM {sql.SessionMeasures} AS st
                USING current AS c
                WHERE c.row_count = 0 AND st.team_id = c.team_id AND st.session_id = c.session_id AND st.measure = c.measure
            )
            INSERT INTO {sql.SessionMeasures} AS s (team_id, session_id, measure, experiment_id, value, last_at, updated_at)
            SELECT c.team_id, c.session_id, c.measure, c.experiment_id, c.value, c.last_at, @now
            FROM current AS c
            WHERE c.row_count > 0
            ON CONFLICT (team_id, session_id, measure) DO UPDATE SET
                experiment_id = excluded.experiment_id,
                value = excluded.value,
                last_at = excluded.last_at,
                updated_at = excluded.updated_at
            WHERE (s.experiment_id, s.value, s.last_at) IS DISTINCT FROM (excluded.experiment_id, excluded.value, excluded.last_at)
            """;
    }

    /// <summary>The measure over all rows of session <paramref name="alias"/> before @sessions_until: experiment, value, latest time, row count.</summary>
    private static string Whole(CacheSql sql, HostMeasure measure, string alias) => $"""
        SELECT {sql.MaxExperiment("x.experiment_id")} AS experiment_id, {measure.Aggregated("x")} AS value, max(x.created_at) AS last_at, count(*) AS row_count
                FROM {measure.Source} AS x
                WHERE x.team_id = {alias}.team_id AND x.session_id = {alias}.session_id AND x.created_at < @sessions_until
        """;
}

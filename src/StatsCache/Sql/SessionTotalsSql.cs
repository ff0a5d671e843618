namespace StatsCache.Sql;

/// <summary>Maintains the one-row-per-session totals.</summary>
internal static class SessionTotalsSql
{
    /// <summary>
    /// One statement: every session with a human message or a version tag in [@from, @to) is recounted over all its
    /// messages before @to (an index range scan per session on the host's (session_id, created_at)
    /// index), with its distinct versions in ordinal (C collation) order. Recounting whole sessions keeps the row exact and
    /// the statement idempotent; counts never go down (GREATEST) and versions are merged, so a
    /// retention purge of old messages does not erase what was counted.
    /// </summary>
    public static string Upsert(CacheSql sql, bool limited)
    {
        var versions = sql.Versions is null
            ? "SELECT NULL::bigint AS session_id, '{}'::text[] AS versions WHERE false"
            : $"""
              SELECT v.session_id, array_agg(DISTINCT v.version::text COLLATE "C" ORDER BY v.version::text COLLATE "C") AS versions
                  FROM {sql.Versions} AS v
                  WHERE v.session_id IN (SELECT session_id FROM totals) AND v.created_at < @to
                  GROUP BY v.session_id
              """;
        var versionTouched = sql.Versions is null
            ? ""
            : $"""

                  UNION
                  SELECT v.session_id FROM {sql.Versions} AS v
                  WHERE v.created_at >= @from AND v.created_at < @to
              """;
        return $$"""
            WITH touched AS (
                SELECT m.session_id
                FROM {{sql.HumanMessages}} AS m
                WHERE m.created_at >= @from AND m.created_at < @to{{CacheSql.ExperimentFilter("m", limited)}}{{versionTouched}}
            ), totals AS (
                SELECT m.team_id, m.experiment_id, m.session_id, count(*) AS human_message_count, max(m.created_at) AS last_activity
                FROM {{sql.HumanMessages}} AS m
                WHERE m.session_id IN (SELECT session_id FROM touched) AND m.created_at < @to
                GROUP BY m.team_id, m.experiment_id, m.session_id
            ), versions AS (
                {{versions}}
            )
            INSERT INTO {{sql.SessionStatistics}} AS s
                (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
            SELECT t.team_id, t.experiment_id, t.session_id, t.human_message_count, t.last_activity, coalesce(v.versions, '{}'::text[]), @now
            FROM totals AS t
            LEFT JOIN versions AS v ON v.session_id = t.session_id
            ON CONFLICT (team_id, session_id) DO UPDATE SET
                experiment_id = excluded.experiment_id,
                human_message_count = GREATEST(s.human_message_count, excluded.human_message_count),
                last_activity = GREATEST(s.last_activity, excluded.last_activity),
                versions = ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(s.versions || excluded.versions) AS x ORDER BY 1),
                updated_at = excluded.updated_at
            """;
    }
}

namespace StatsCache.Sql;

/// <summary>Maintains the one-row-per-session totals.</summary>
internal static class SessionTotalsSql
{
    /// <summary>
    /// One statement over [@from, @to). Every session started in the range gets a row (with zero
    /// counts if it has no human message yet), so a sessions page can be driven by our index alone.
    /// Sessions with human messages or version tags in the range are brought up to date:
    /// <list type="bullet">
    /// <item>Last activity and versions are a max and a set union: merging the range into the row
    /// is exact and idempotent, so only the range's rows are read.</item>
    /// <item>The human message count is not: re-reading an overlapping range (the refresh look-back)
    /// would count twice, and merging with GREATEST cannot add to a count made by another range. So
    /// every touched session is counted over all its messages before @sessions_until (the watermark
    /// the operation leaves). A session that started in the range is counted from the range plus
    /// index probes for its messages before @from (stamped before its start: an import, two servers'
    /// clocks) and, when the range ends before the watermark (a reconcile, a partial backfill), after
    /// @to — almost always empty, one descent of the host's (session_id, created_at) index each. A
    /// session that started earlier is recounted whole by an index range scan on that index — whether
    /// or not we counted it before, since its earlier rows may have been committed late. A backfill
    /// chunk meets almost only the first kind, so it reads each message once instead of rescanning all
    /// earlier messages per chunk; a refresh recounts the sessions active in its window.</item>
    /// </list>
    /// Sessions, messages and our rows are joined by (team, session id): session ids need only be
    /// unique within a team. Version tags are joined by team too when they carry one
    /// (<see cref="CacheSql.VersionsHaveTeam"/>), by session id alone otherwise.
    /// Counts never go down (GREATEST): a retention purge of old messages does not erase what was counted.
    /// </summary>
    public static string Upsert(CacheSql sql, bool limited)
    {
        if (sql.MirrorDeletions)
        {
            return Mirror(sql, limited);
        }

        if (sql.VersionsHaveTeam && sql.Versions is not null)
        {
            return TeamKeyedUpsert(sql, limited);
        }

        var rangeVersions = sql.Versions is null
            ? $"SELECT NULL::{sql.TeamType} AS team_id, NULL::{sql.SessionType} AS session_id, '{{}}'::text[] AS versions WHERE false"
            : $"""
              SELECT {sql.VersionTeam("v")} AS team_id, v.session_id, array_agg(DISTINCT v.version::text COLLATE "C" ORDER BY v.version::text COLLATE "C") AS versions
                  FROM {sql.Versions} AS v
                  WHERE v.created_at >= @from AND v.created_at < @to
                  GROUP BY 1, 2
              """;
        return $$"""
            WITH range_messages AS (
                -- Per session, not per (session, experiment): one row per session even if the source
                -- disagrees with itself about a session's experiment.
                SELECT m.team_id, m.session_id, {{sql.MaxExperiment("m.experiment_id")}} AS experiment_id, count(*) AS human_message_count, max(m.created_at) AS last_activity
                FROM {{sql.HumanMessages}} AS m
                WHERE m.created_at >= @from AND m.created_at < @to{{CacheSql.ExperimentFilter("m", limited)}}
                GROUP BY m.team_id, m.session_id
            ), range_versions AS (
                {{rangeVersions}}
            ), touched AS (
                -- Sessions started in the range, and sessions with human messages in it: a hash full join, no sort.
                SELECT coalesce(s.team_id, rm.team_id) AS team_id, coalesce(s.experiment_id, rm.experiment_id) AS experiment_id,
                       coalesce(s.session_id, rm.session_id) AS session_id, s.session_id IS NOT NULL AS started_here,
                       rm.human_message_count, rm.last_activity
                FROM (SELECT s.team_id, s.experiment_id, s.session_id
                      FROM {{sql.Sessions}} AS s
                      WHERE s.created_at >= @from AND s.created_at < @to{{CacheSql.ExperimentFilter("s", limited)}}) AS s
                FULL JOIN range_messages AS rm ON rm.team_id = s.team_id AND rm.session_id = s.session_id
            ), tagged_elsewhere AS (
                -- A version tag in the range on a session that neither started nor had a human message
                -- in it (a bot reply just after a chunk boundary): found by the host's session key.
                SELECT DISTINCT ON (s.team_id, s.session_id) s.team_id, s.experiment_id, s.session_id, false AS started_here,
                       NULL::bigint AS human_message_count, NULL::timestamptz AS last_activity
                FROM range_versions AS rv
                JOIN {{sql.Sessions}} AS s ON {{sql.VersionJoin("rv", "s")}}
                WHERE NOT EXISTS (SELECT 1 FROM touched AS t WHERE t.team_id = s.team_id AND t.session_id = s.session_id){{CacheSql.ExperimentFilter("s", limited)}}
                ORDER BY s.team_id, s.session_id
            ), counted AS (
                -- Every touched session over all its messages before @sessions_until (the watermark the
                -- operation leaves): a session started here adds to the range's messages those before
                -- @from (stamped before its start) and, when the range ends before the watermark (a
                -- reconcile, a partial backfill), those after @to; any other session is recounted whole.
                -- Each is an index range scan on (session_id, created_at); the scans that cannot apply
                -- are skipped by one-time filters.
                SELECT k.team_id, k.experiment_id, k.session_id,
                       CASE WHEN k.started_here THEN coalesce(k.human_message_count, 0) + earlier.human_message_count + later.human_message_count
                            ELSE earlier.human_message_count END AS human_message_count,
                       GREATEST(k.last_activity, earlier.last_activity, later.last_activity) AS last_activity
                FROM (SELECT * FROM touched UNION ALL SELECT * FROM tagged_elsewhere) AS k
                CROSS JOIN LATERAL (
                    SELECT count(*) AS human_message_count, max(m.created_at) AS last_activity
                    FROM {{sql.HumanMessages}} AS m
                    WHERE m.session_id = k.session_id AND m.team_id = k.team_id
                      AND m.created_at < CASE WHEN k.started_here THEN @from ELSE @sessions_until END
                ) AS earlier
                CROSS JOIN LATERAL (
                    SELECT count(*) AS human_message_count, max(m.created_at) AS last_activity
                    FROM {{sql.HumanMessages}} AS m
                    WHERE @to < @sessions_until AND k.started_here
                      AND m.session_id = k.session_id AND m.team_id = k.team_id
                      AND m.created_at >= @to AND m.created_at < @sessions_until
                ) AS later
            )
            INSERT INTO {{sql.SessionStatistics}} AS s
                (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
            SELECT c.team_id, c.experiment_id, c.session_id, c.human_message_count, c.last_activity, coalesce(rv.versions, '{}'::text[]), @now
            FROM counted AS c
            LEFT JOIN range_versions AS rv ON {{sql.VersionJoin("rv", "c")}}
            ON CONFLICT (team_id, session_id) DO UPDATE SET
                experiment_id = excluded.experiment_id,
                human_message_count = GREATEST(s.human_message_count, excluded.human_message_count),
                last_activity = GREATEST(s.last_activity, excluded.last_activity),
                versions = CASE WHEN cardinality(excluded.versions) = 0 THEN s.versions
                                ELSE ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(s.versions || excluded.versions) AS x ORDER BY 1) END,
                updated_at = excluded.updated_at
            -- A refresh re-reads its look-back every run: sessions that would not change are not rewritten.
            WHERE s.experiment_id <> excluded.experiment_id OR s.human_message_count < excluded.human_message_count
               OR s.last_activity IS DISTINCT FROM GREATEST(s.last_activity, excluded.last_activity)
               OR NOT (excluded.versions <@ s.versions)
            """;
    }

    /// <summary>
    /// <see cref="Upsert"/> for hosts whose version tags carry their team, in a shape Citus runs shard
    /// by shard when every table is distributed by team: the sessions started in the range, the human
    /// messages and the version tags in it are one UNION ALL grouped by (team, session) — one hash
    /// aggregate, no FULL JOIN whose coalesce(team_id) Citus would not see as the distribution column,
    /// no CTE read twice (which Citus turns into intermediate results on the coordinator) — and every
    /// lateral recount is correlated on team and session id. A session with only version tags in the
    /// range takes its experiment from the host's sessions (one keyed lookup, skipped for the others
    /// by a one-time filter) and is left out if it has no session row. The range's tags are collected
    /// unsorted (hashable) and sorted per session. The keys are a sub-query in FROM, not a CTE: Citus
    /// decides whether an INSERT … SELECT runs shard by shard before it inlines CTEs.
    /// </summary>
    private static string TeamKeyedUpsert(CacheSql sql, bool limited) => $$"""
        INSERT INTO {{sql.SessionStatistics}} AS s
            (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
        SELECT k.team_id, coalesce(k.experiment_id, tagged.experiment_id), k.session_id,
               CASE WHEN k.started_here THEN coalesce(k.human_message_count, 0) + earlier.human_message_count + later.human_message_count
                    ELSE earlier.human_message_count END,
               GREATEST(k.last_activity, earlier.last_activity, later.last_activity),
               ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(k.versions) AS x ORDER BY 1), @now
        FROM (
            SELECT k.team_id, k.session_id,
                   coalesce({{sql.MaxExperiment("k.experiment_id", " FILTER (WHERE k.kind = 0)")}}, {{sql.MaxExperiment("k.experiment_id", " FILTER (WHERE k.kind = 1)")}}) AS experiment_id,
                   bool_or(k.kind = 0) AS started_here, sum(k.messages) AS human_message_count, max(k.last_activity) AS last_activity,
                   array_agg(k.version) FILTER (WHERE k.version IS NOT NULL) AS versions
            FROM (
                SELECT s.team_id, s.session_id, s.experiment_id, 0 AS kind, NULL::bigint AS messages, NULL::timestamptz AS last_activity, NULL::text AS version
                FROM {{sql.Sessions}} AS s
                WHERE s.created_at >= @from AND s.created_at < @to{{CacheSql.ExperimentFilter("s", limited)}}
                UNION ALL
                SELECT m.team_id, m.session_id, m.experiment_id, 1, 1, m.created_at, NULL
                FROM {{sql.HumanMessages}} AS m
                WHERE m.created_at >= @from AND m.created_at < @to{{CacheSql.ExperimentFilter("m", limited)}}
                UNION ALL
                SELECT v.team_id, v.session_id, NULL, 2, NULL, NULL, v.version::text
                FROM {{sql.Versions}} AS v
                WHERE v.created_at >= @from AND v.created_at < @to
            ) AS k
            GROUP BY k.team_id, k.session_id
        ) AS k
        CROSS JOIN LATERAL (
            -- Only tags in the range (no start, no human message): the session's experiment, from the host.
            SELECT {{sql.MinExperiment("x.experiment_id")}} AS experiment_id
            FROM {{sql.Sessions}} AS x
            WHERE k.experiment_id IS NULL AND x.team_id = k.team_id AND x.session_id = k.session_id
        ) AS tagged
        CROSS JOIN LATERAL (
            SELECT count(*) AS human_message_count, max(m.created_at) AS last_activity
            FROM {{sql.HumanMessages}} AS m
            WHERE m.team_id = k.team_id AND m.session_id = k.session_id
              AND m.created_at < CASE WHEN k.started_here THEN @from ELSE @sessions_until END
        ) AS earlier
        CROSS JOIN LATERAL (
            SELECT count(*) AS human_message_count, max(m.created_at) AS last_activity
            FROM {{sql.HumanMessages}} AS m
            -- The guard is a sub-select, evaluated once (a one-time filter) but never folded at planning: a
            -- constant false would leave Citus a lateral sub-query with no table, which it cannot place.
            WHERE (SELECT @to < @sessions_until) AND k.started_here
              AND m.team_id = k.team_id AND m.session_id = k.session_id
              AND m.created_at >= @to AND m.created_at < @sessions_until
        ) AS later
        WHERE k.experiment_id IS NOT NULL OR tagged.experiment_id IS NOT NULL{{(limited ? " AND coalesce(k.experiment_id, tagged.experiment_id) = ANY(@experiments)" : "")}}
        ON CONFLICT (team_id, session_id) DO UPDATE SET
            experiment_id = excluded.experiment_id,
            human_message_count = GREATEST(s.human_message_count, excluded.human_message_count),
            last_activity = GREATEST(s.last_activity, excluded.last_activity),
            versions = CASE WHEN cardinality(excluded.versions) = 0 THEN s.versions
                            ELSE ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(s.versions || excluded.versions) AS x ORDER BY 1) END,
            updated_at = excluded.updated_at
        WHERE s.experiment_id <> excluded.experiment_id OR s.human_message_count < excluded.human_message_count
           OR s.last_activity IS DISTINCT FROM GREATEST(s.last_activity, excluded.last_activity)
           OR NOT (excluded.versions <@ s.versions)
        """;

    /// <summary>
    /// Mirroring deletions: every session with something in [@from, @to) — a start, a human message,
    /// a version tag, or a last activity we recorded there — is set to exactly what the source holds
    /// for it before @sessions_until (the watermark the operation leaves: session rows always hold
    /// every row before it, even where the range ends earlier); a session that is gone from the source
    /// (or now belongs to another team) loses its row.
    /// </summary>
    private static string Mirror(CacheSql sql, bool limited)
    {
        // Tags without a team find theirs through the session (session ids are then unique across teams).
        var rangeVersions = sql.Versions is null
            ? ""
            : sql.VersionsHaveTeam
                ? $"""

                      UNION
                      SELECT v.team_id, v.session_id FROM {sql.Versions} AS v WHERE v.created_at >= @from AND v.created_at < @to
                  """
                : $"""

                      UNION
                      SELECT s.team_id, v.session_id FROM {sql.Versions} AS v JOIN {sql.Sessions} AS s ON s.session_id = v.session_id
                      WHERE v.created_at >= @from AND v.created_at < @to
                  """;
        return $$"""
            WITH recorded AS (
                SELECT st.team_id, st.session_id
                FROM {{sql.SessionStatistics}} AS st
                WHERE st.last_activity >= @from AND st.last_activity < @to{{CacheSql.ExperimentFilter("st", limited)}}
            ), candidates AS (
                SELECT m.team_id, m.session_id FROM {{sql.HumanMessages}} AS m
                WHERE m.created_at >= @from AND m.created_at < @to{{CacheSql.ExperimentFilter("m", limited)}}
                UNION
                SELECT s.team_id, s.session_id FROM {{sql.Sessions}} AS s
                WHERE s.created_at >= @from AND s.created_at < @to{{CacheSql.ExperimentFilter("s", limited)}}
                UNION
                SELECT team_id, session_id FROM recorded{{rangeVersions}}
            ), current AS (
                SELECT DISTINCT ON (s.team_id, s.session_id) s.session_id, s.team_id, s.experiment_id
                FROM candidates AS c
                JOIN {{sql.Sessions}} AS s ON s.team_id = c.team_id AND s.session_id = c.session_id
                WHERE true{{CacheSql.ExperimentFilter("s", limited)}}
                ORDER BY s.team_id, s.session_id, s.experiment_id
            ), removed AS (
                DELETE FROM {{sql.SessionStatistics}} AS st
                USING recorded AS r
                WHERE st.team_id = r.team_id AND st.session_id = r.session_id
                  AND NOT EXISTS (SELECT 1 FROM current AS c WHERE c.session_id = r.session_id AND c.team_id = r.team_id)
            )
            {{WholeSessionsUpsert(sql, "@sessions_until", mirror: true)}}
            """;
    }

    /// <summary>
    /// Recounts the sessions (@teams[i], @sessions[i]) — parallel arrays of (team, session id) pairs —
    /// whole, over their rows before @to: what change tracking does for sessions whose old rows
    /// changed. Mirroring deletions, a session gone from the source loses its row and counts may go
    /// down; otherwise counts only grow and versions are merged.
    /// </summary>
    public static string RecountSessions(CacheSql sql)
    {
        var removed = !sql.MirrorDeletions ? "" : $"""
            , removed AS (
                DELETE FROM {sql.SessionStatistics} AS st
                USING requested AS r
                WHERE st.team_id = r.team_id AND st.session_id = r.session_id
                  AND NOT EXISTS (SELECT 1 FROM current AS c WHERE c.session_id = st.session_id AND c.team_id = st.team_id)
            )
            """;
        return $$"""
            WITH requested AS (
                SELECT DISTINCT r.team_id, r.session_id FROM unnest(@teams::{{sql.TeamType}}[], @sessions::{{sql.SessionType}}[]) AS r(team_id, session_id)
            ), current AS (
                SELECT DISTINCT ON (s.team_id, s.session_id) s.session_id, s.team_id, s.experiment_id
                FROM requested AS r
                JOIN {{sql.Sessions}} AS s ON s.team_id = r.team_id AND s.session_id = r.session_id
                ORDER BY s.team_id, s.session_id, s.experiment_id
            ){{removed}}
            {{WholeSessionsUpsert(sql, "@to", sql.MirrorDeletions)}}
            """;
    }

    /// <summary>
    /// Upserts the sessions of the <c>current</c> CTE (session_id, team_id, experiment_id; one row per team and session) recounted
    /// whole over their rows before <paramref name="until"/>, each an index range scan on the host's
    /// (session_id, created_at) indexes. Mirroring sets the row to the recount; otherwise counts only
    /// grow and versions are merged. Rows that would not change are not rewritten.
    /// </summary>
    private static string WholeSessionsUpsert(CacheSql sql, string until, bool mirror)
    {
        var wholeVersions = sql.Versions is null
            ? "SELECT '{}'::text[] AS versions"
            : $$"""
              SELECT coalesce(array_agg(DISTINCT v.version::text COLLATE "C" ORDER BY v.version::text COLLATE "C"), '{}') AS versions
                      FROM {{sql.Versions}} AS v
                      WHERE {{sql.VersionJoin("v", "c")}} AND v.created_at < {{until}}
              """;
        var (count, last, versions) = mirror
            ? ("excluded.human_message_count", "excluded.last_activity", "excluded.versions")
            : ("GREATEST(s.human_message_count, excluded.human_message_count)", "GREATEST(s.last_activity, excluded.last_activity)",
               "ARRAY(SELECT DISTINCT x COLLATE \"C\" FROM unnest(s.versions || excluded.versions) AS x ORDER BY 1)");
        return $$"""
            INSERT INTO {{sql.SessionStatistics}} AS s
                (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
            SELECT c.team_id, c.experiment_id, c.session_id, w.human_message_count, w.last_activity, wv.versions, @now
            FROM current AS c
            CROSS JOIN LATERAL (
                SELECT count(*) AS human_message_count, max(m.created_at) AS last_activity
                FROM {{sql.HumanMessages}} AS m
                WHERE m.session_id = c.session_id AND m.team_id = c.team_id AND m.created_at < {{until}}
            ) AS w
            CROSS JOIN LATERAL (
                {{wholeVersions}}
            ) AS wv
            ON CONFLICT (team_id, session_id) DO UPDATE SET
                experiment_id = excluded.experiment_id,
                human_message_count = {{count}},
                last_activity = {{last}},
                versions = {{versions}},
                updated_at = excluded.updated_at
            WHERE (s.experiment_id, s.human_message_count, s.last_activity, s.versions)
                IS DISTINCT FROM (excluded.experiment_id, {{count}}, {{last}}, {{versions}})
            """;
    }
}

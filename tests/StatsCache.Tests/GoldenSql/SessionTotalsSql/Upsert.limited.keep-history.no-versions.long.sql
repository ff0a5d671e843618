-- SessionTotalsSql/Upsert.limited, for deletions=keep-history, versions=no-versions, keys=long (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH range_messages AS (
    -- Per session, not per (session, experiment): one row per session even if the source
    -- disagrees with itself about a session's experiment.
    SELECT m.team_id, m.session_id, max(m.experiment_id) AS experiment_id, count(*) AS human_message_count, max(m.created_at) AS last_activity
    FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    WHERE m.created_at >= @from AND m.created_at < @to AND m.experiment_id = ANY(@experiments)
    GROUP BY m.team_id, m.session_id
), range_versions AS (
    SELECT NULL::bigint AS team_id, NULL::bigint AS session_id, '{}'::text[] AS versions WHERE false
), touched AS (
    -- Sessions started in the range, and sessions with human messages in it: a hash full join, no sort.
    SELECT coalesce(s.team_id, rm.team_id) AS team_id, coalesce(s.experiment_id, rm.experiment_id) AS experiment_id,
           coalesce(s.session_id, rm.session_id) AS session_id, s.session_id IS NOT NULL AS started_here,
           rm.human_message_count, rm.last_activity
    FROM (SELECT s.team_id, s.experiment_id, s.session_id
          FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
          WHERE s.created_at >= @from AND s.created_at < @to AND s.experiment_id = ANY(@experiments)) AS s
    FULL JOIN range_messages AS rm ON rm.team_id = s.team_id AND rm.session_id = s.session_id
), tagged_elsewhere AS (
    -- A version tag in the range on a session that neither started nor had a human message
    -- in it (a bot reply just after a chunk boundary): found by the host's session key.
    SELECT DISTINCT ON (s.team_id, s.session_id) s.team_id, s.experiment_id, s.session_id, false AS started_here,
           NULL::bigint AS human_message_count, NULL::timestamptz AS last_activity
    FROM range_versions AS rv
    JOIN (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s ON rv.session_id = s.session_id
    WHERE NOT EXISTS (SELECT 1 FROM touched AS t WHERE t.team_id = s.team_id AND t.session_id = s.session_id) AND s.experiment_id = ANY(@experiments)
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
        FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
        WHERE m.session_id = k.session_id AND m.team_id = k.team_id
          AND m.created_at < CASE WHEN k.started_here THEN @from ELSE @sessions_until END
    ) AS earlier
    CROSS JOIN LATERAL (
        SELECT count(*) AS human_message_count, max(m.created_at) AS last_activity
        FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
        WHERE @to < @sessions_until AND k.started_here
          AND m.session_id = k.session_id AND m.team_id = k.team_id
          AND m.created_at >= @to AND m.created_at < @sessions_until
    ) AS later
)
INSERT INTO "stats"."statscache_session_statistics" AS s
    (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
SELECT c.team_id, c.experiment_id, c.session_id, c.human_message_count, c.last_activity, coalesce(rv.versions, '{}'::text[]), @now
FROM counted AS c
LEFT JOIN range_versions AS rv ON rv.session_id = c.session_id
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

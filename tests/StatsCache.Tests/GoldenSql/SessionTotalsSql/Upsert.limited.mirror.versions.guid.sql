-- SessionTotalsSql/Upsert.limited, for deletions=mirror, versions=versions, keys=guid (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH recorded AS (
    SELECT st.team_id, st.session_id
    FROM "stats"."statscache_session_statistics" AS st
    WHERE st.last_activity >= @from AND st.last_activity < @to AND st.experiment_id = ANY(@experiments)
), candidates AS (
    SELECT m.team_id, m.session_id FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    WHERE m.created_at >= @from AND m.created_at < @to AND m.experiment_id = ANY(@experiments)
    UNION
    SELECT s.team_id, s.session_id FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
    WHERE s.created_at >= @from AND s.created_at < @to AND s.experiment_id = ANY(@experiments)
    UNION
    SELECT team_id, session_id FROM recorded
    UNION
    SELECT s.team_id, v.session_id FROM (SELECT t."session_id" AS session_id, t."version" AS version, t."created_at" AS created_at FROM "app"."session_versions" AS t) AS v JOIN (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s ON s.session_id = v.session_id
    WHERE v.created_at >= @from AND v.created_at < @to
), current AS (
    SELECT DISTINCT ON (s.team_id, s.session_id) s.session_id, s.team_id, s.experiment_id
    FROM candidates AS c
    JOIN (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s ON s.team_id = c.team_id AND s.session_id = c.session_id
    WHERE true AND s.experiment_id = ANY(@experiments)
    ORDER BY s.team_id, s.session_id, s.experiment_id
), removed AS (
    DELETE FROM "stats"."statscache_session_statistics" AS st
    USING recorded AS r
    WHERE st.team_id = r.team_id AND st.session_id = r.session_id
      AND NOT EXISTS (SELECT 1 FROM current AS c WHERE c.session_id = r.session_id AND c.team_id = r.team_id)
)
INSERT INTO "stats"."statscache_session_statistics" AS s
    (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
SELECT c.team_id, c.experiment_id, c.session_id, w.human_message_count, w.last_activity, wv.versions, @now
FROM current AS c
CROSS JOIN LATERAL (
    SELECT count(*) AS human_message_count, max(m.created_at) AS last_activity
    FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    WHERE m.session_id = c.session_id AND m.team_id = c.team_id AND m.created_at < @sessions_until
) AS w
CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(DISTINCT v.version::text COLLATE "C" ORDER BY v.version::text COLLATE "C"), '{}') AS versions
        FROM (SELECT t."session_id" AS session_id, t."version" AS version, t."created_at" AS created_at FROM "app"."session_versions" AS t) AS v
        WHERE v.session_id = c.session_id AND v.created_at < @sessions_until
) AS wv
ON CONFLICT (team_id, session_id) DO UPDATE SET
    experiment_id = excluded.experiment_id,
    human_message_count = excluded.human_message_count,
    last_activity = excluded.last_activity,
    versions = excluded.versions,
    updated_at = excluded.updated_at
WHERE (s.experiment_id, s.human_message_count, s.last_activity, s.versions)
    IS DISTINCT FROM (excluded.experiment_id, excluded.human_message_count, excluded.last_activity, excluded.versions)

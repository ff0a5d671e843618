-- BulkBuildSql/Sessions, for versions=versions-with-team, keys=guid (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH messages AS (
    SELECT m.team_id, m.session_id, (max(m.experiment_id::text COLLATE "C"))::uuid AS experiment_id, count(*) AS human_message_count, max(m.created_at) AS last_activity
    FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    WHERE m.created_at >= @from AND m.created_at < @to
    GROUP BY m.team_id, m.session_id
), versions AS (
    SELECT v.team_id AS team_id, v.session_id, array_agg(DISTINCT v.version::text COLLATE "C" ORDER BY v.version::text COLLATE "C") AS versions
    FROM (SELECT t."team_id" AS team_id, t."session_id" AS session_id, t."version" AS version, t."created_at" AS created_at FROM "app"."session_versions" AS t) AS v
    WHERE v.created_at >= @from AND v.created_at < @to
    GROUP BY 1, 2
), k AS (
    SELECT coalesce(s.team_id, m.team_id) AS team_id, coalesce(s.experiment_id, m.experiment_id) AS experiment_id,
           coalesce(s.session_id, m.session_id) AS session_id, coalesce(m.human_message_count, 0) AS human_message_count, m.last_activity
    FROM (SELECT s.team_id, s.experiment_id, s.session_id FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s WHERE s.created_at >= @from AND s.created_at < @to) AS s
    FULL JOIN messages AS m ON m.team_id = s.team_id AND m.session_id = s.session_id
)
INSERT INTO "stats"."statscache_session_statistics" (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
SELECT k.team_id, k.experiment_id, k.session_id, k.human_message_count, k.last_activity, coalesce(v.versions, '{}'::text[]), @now
FROM k
LEFT JOIN versions AS v ON v.team_id = k.team_id AND v.session_id = k.session_id

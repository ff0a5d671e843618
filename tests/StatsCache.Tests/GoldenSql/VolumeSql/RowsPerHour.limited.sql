-- VolumeSql/RowsPerHour.limited, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT date_trunc('hour', t.created_at, 'UTC') AS hour, count(*) AS rows
FROM (
    SELECT s.created_at FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
    WHERE s.created_at >= @from AND s.created_at < @to AND s.experiment_id = ANY(@experiments)
    UNION ALL
    SELECT m.created_at FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    WHERE m.created_at >= @from AND m.created_at < @to AND m.experiment_id = ANY(@experiments)
) AS t
GROUP BY 1

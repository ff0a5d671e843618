-- MeasureReadSql/ExperimentTotals.live, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT v.id, v.measure, sum(v.value)::bigint
FROM (
SELECT s.experiment_id AS id, 'bot_messages'::text AS measure, count(*) AS value
FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'
) AS s
WHERE s.team_id = @team AND s.experiment_id = ANY(@ids)
GROUP BY s.experiment_id
UNION ALL
SELECT s.experiment_id AS id, 'tokens_used'::text AS measure, coalesce(sum(s.value), 0)::bigint AS value
FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."created_at" AS created_at, t."tokens" AS value FROM "app"."messages" AS t) AS s
WHERE s.team_id = @team AND s.experiment_id = ANY(@ids)
GROUP BY s.experiment_id
) AS v
GROUP BY v.id, v.measure

-- MeasureSeriesSql/SessionSeries.month, for zone=berlin (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT date_trunc('month', s.created_at, 'Europe/Berlin') AS point_start, 'bot_messages'::text AS measure, count(*) AS value
FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'
) AS s
WHERE s.session_id = @session AND s.team_id = @team AND s.created_at >= @from AND s.created_at < @to
GROUP BY 1
UNION ALL
SELECT date_trunc('month', s.created_at, 'Europe/Berlin') AS point_start, 'tokens_used'::text AS measure, coalesce(sum(s.value), 0)::bigint AS value
FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."created_at" AS created_at, t."tokens" AS value FROM "app"."messages" AS t) AS s
WHERE s.session_id = @session AND s.team_id = @team AND s.created_at >= @from AND s.created_at < @to
GROUP BY 1
ORDER BY 1, 2

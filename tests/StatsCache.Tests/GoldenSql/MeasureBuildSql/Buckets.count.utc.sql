-- MeasureBuildSql/Buckets.count, for zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_experiment_measure_buckets" (team_id, experiment_id, measure, bucket_size, bucket_start, value, updated_at)
SELECT x.team_id, x.experiment_id, 'bot_messages', CASE WHEN x.created_at < @daily_from THEN 3 WHEN x.created_at < @hourly_from THEN 2 ELSE 1 END, CASE WHEN x.created_at < @daily_from THEN date_trunc('month', x.created_at, 'UTC') WHEN x.created_at < @hourly_from THEN date_trunc('day', x.created_at, 'UTC') ELSE date_trunc('hour', x.created_at, 'UTC') END, count(*), @now
FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'
) AS x
WHERE x.created_at < @to
GROUP BY 1, 2, 4, 5

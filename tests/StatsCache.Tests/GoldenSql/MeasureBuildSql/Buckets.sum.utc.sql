-- MeasureBuildSql/Buckets.sum, for zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_experiment_measure_buckets" (team_id, experiment_id, measure, bucket_size, bucket_start, value, updated_at)
SELECT x.team_id, x.experiment_id, 'tokens_used', CASE WHEN x.created_at < @daily_from THEN 3 WHEN x.created_at < @hourly_from THEN 2 ELSE 1 END, CASE WHEN x.created_at < @daily_from THEN date_trunc('month', x.created_at, 'UTC') WHEN x.created_at < @hourly_from THEN date_trunc('day', x.created_at, 'UTC') ELSE date_trunc('hour', x.created_at, 'UTC') END, coalesce(sum(x.value), 0)::bigint, @now
FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."created_at" AS created_at, t."tokens" AS value FROM "app"."messages" AS t) AS x
WHERE x.created_at < @to
GROUP BY 1, 2, 4, 5

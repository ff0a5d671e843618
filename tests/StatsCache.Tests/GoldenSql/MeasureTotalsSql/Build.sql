-- MeasureTotalsSql/Build, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_experiment_measures" (team_id, experiment_id, measure, value, updated_at)
SELECT b.team_id, b.experiment_id, b.measure, sum(b.value)::bigint, @now
FROM "stats"."statscache_experiment_measure_buckets" AS b
WHERE b.measure = ANY(@measures::text[])
GROUP BY b.team_id, b.experiment_id, b.measure

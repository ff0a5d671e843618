-- MeasureTotalsSql/Repair, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_experiment_measures" AS t (team_id, experiment_id, measure, value, updated_at)
SELECT b.team_id, b.experiment_id, b.measure, sum(b.value)::bigint, @now
FROM "stats"."statscache_experiment_measure_buckets" AS b 

GROUP BY b.team_id, b.experiment_id, b.measure
ON CONFLICT (team_id, experiment_id, measure) DO UPDATE SET
    value = excluded.value,
    updated_at = excluded.updated_at
WHERE t.value <> excluded.value;

DELETE FROM "stats"."statscache_experiment_measures" AS t
WHERE NOT EXISTS (SELECT 1 FROM "stats"."statscache_experiment_measure_buckets" AS b WHERE b.team_id = t.team_id AND b.experiment_id = t.experiment_id AND b.measure = t.measure)

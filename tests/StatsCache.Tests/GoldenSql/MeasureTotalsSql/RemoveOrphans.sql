-- MeasureTotalsSql/RemoveOrphans, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DELETE FROM "stats"."statscache_experiment_measures" AS t
WHERE NOT EXISTS (SELECT 1 FROM "stats"."statscache_experiment_measure_buckets" AS b WHERE b.team_id = t.team_id AND b.experiment_id = t.experiment_id AND b.measure = t.measure)

-- MeasureTotalsSql/Mismatches, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT count(*)
FROM (SELECT b.team_id, b.experiment_id, b.measure, sum(b.value)::bigint AS value
      FROM "stats"."statscache_experiment_measure_buckets" AS b
      GROUP BY b.team_id, b.experiment_id, b.measure) AS x
FULL JOIN "stats"."statscache_experiment_measures" AS t ON t.team_id = x.team_id AND t.experiment_id = x.experiment_id AND t.measure = x.measure
WHERE x.value IS DISTINCT FROM t.value

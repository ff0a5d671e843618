-- MeasureTotalsSql/MarkRange, for deletions=mirror (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
UPDATE "stats"."statscache_experiment_measures" AS t SET updated_at = @now
FROM (SELECT DISTINCT b.team_id, b.experiment_id, b.measure
      FROM "stats"."statscache_experiment_measure_buckets" AS b
      WHERE b.bucket_size = ANY('{1,2,3}'::smallint[]) AND b.bucket_start >= @buckets_from AND b.bucket_start < @to) AS s
WHERE t.team_id = s.team_id AND t.experiment_id = s.experiment_id AND t.measure = s.measure

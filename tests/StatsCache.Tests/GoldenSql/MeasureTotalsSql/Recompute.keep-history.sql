-- MeasureTotalsSql/Recompute, for deletions=keep-history (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DELETE FROM "stats"."statscache_experiment_measures" AS t
WHERE (t.team_id, t.experiment_id, t.measure) IN (    SELECT DISTINCT b.team_id, b.experiment_id, b.measure
    FROM "stats"."statscache_experiment_measure_buckets" AS b
    WHERE b.bucket_size = ANY('{1,2,3}'::smallint[]) AND b.bucket_start >= @buckets_from AND b.bucket_start < @to
      AND b.updated_at = @now)
  AND NOT EXISTS (SELECT 1 FROM "stats"."statscache_experiment_measure_buckets" AS b WHERE b.team_id = t.team_id AND b.experiment_id = t.experiment_id AND b.measure = t.measure);

INSERT INTO "stats"."statscache_experiment_measures" AS t (team_id, experiment_id, measure, value, updated_at)
SELECT b.team_id, b.experiment_id, b.measure, sum(b.value)::bigint, @now
FROM "stats"."statscache_experiment_measure_buckets" AS b JOIN (    SELECT DISTINCT b.team_id, b.experiment_id, b.measure
    FROM "stats"."statscache_experiment_measure_buckets" AS b
    WHERE b.bucket_size = ANY('{1,2,3}'::smallint[]) AND b.bucket_start >= @buckets_from AND b.bucket_start < @to
      AND b.updated_at = @now) AS s ON b.team_id = s.team_id AND b.experiment_id = s.experiment_id AND b.measure = s.measure

GROUP BY b.team_id, b.experiment_id, b.measure
ON CONFLICT (team_id, experiment_id, measure) DO UPDATE SET
    value = excluded.value,
    updated_at = excluded.updated_at
WHERE t.value <> excluded.value

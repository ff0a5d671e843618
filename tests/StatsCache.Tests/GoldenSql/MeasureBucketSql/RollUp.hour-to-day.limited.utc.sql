-- MeasureBucketSql/RollUp.hour-to-day.limited, for zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_experiment_measure_buckets" AS b (team_id, experiment_id, measure, bucket_size, bucket_start, value, updated_at)
SELECT m.team_id, m.experiment_id, m.measure, 2, date_trunc('day', m.bucket_start, 'UTC'),
       sum(m.value)::bigint, @now
FROM "stats"."statscache_experiment_measure_buckets" AS m
WHERE m.bucket_size = 1 AND m.bucket_start >= @rollup_from AND m.bucket_start < @rollup_to AND m.experiment_id = ANY(@experiments)
GROUP BY m.team_id, m.experiment_id, m.measure, date_trunc('day', m.bucket_start, 'UTC')
ON CONFLICT (team_id, experiment_id, measure, bucket_start, bucket_size) DO UPDATE SET
    value = b.value + excluded.value,
    updated_at = excluded.updated_at;

DELETE FROM "stats"."statscache_experiment_measure_buckets" AS b WHERE b.bucket_size = 1 AND b.bucket_start >= @rollup_from AND b.bucket_start < @rollup_to AND b.experiment_id = ANY(@experiments)

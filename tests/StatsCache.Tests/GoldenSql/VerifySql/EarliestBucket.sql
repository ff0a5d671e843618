-- VerifySql/EarliestBucket, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT min(bucket_start) FROM "stats"."statscache_experiment_buckets"

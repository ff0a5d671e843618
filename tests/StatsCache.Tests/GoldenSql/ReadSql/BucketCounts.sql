-- ReadSql/BucketCounts, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT bucket_size, count(*) FROM "stats"."statscache_experiment_buckets" GROUP BY bucket_size ORDER BY bucket_size

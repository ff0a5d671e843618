-- ReadSql/ExperimentBuckets, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT b.bucket_size, b.bucket_start, b.session_count, b.new_participant_count, b.human_message_count, b.last_activity, b.updated_at
FROM "stats"."statscache_experiment_buckets" AS b
WHERE b.team_id = @team AND b.experiment_id = @experiment
ORDER BY b.bucket_start

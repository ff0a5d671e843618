-- ReconcileSql/RangeTotals, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT b.team_id, b.experiment_id,
       sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint, sum(b.human_message_count)::bigint, max(b.last_activity)
FROM "stats"."statscache_experiment_buckets" AS b
WHERE b.bucket_start >= @from AND b.bucket_start < @to
GROUP BY b.team_id, b.experiment_id

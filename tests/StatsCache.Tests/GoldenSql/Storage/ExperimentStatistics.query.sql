-- Storage/ExperimentStatistics.query, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT b.team_id, b.experiment_id,
       sum(b.session_count)::bigint AS session_count,
       sum(b.new_participant_count)::bigint AS participant_count,
       sum(b.human_message_count)::bigint AS human_message_count,
       max(b.last_activity) AS last_activity,
       coalesce(max(b.last_activity), '-infinity'::timestamptz) AS last_activity_or_min
FROM "stats"."statscache_experiment_buckets" AS b
GROUP BY b.team_id, b.experiment_id

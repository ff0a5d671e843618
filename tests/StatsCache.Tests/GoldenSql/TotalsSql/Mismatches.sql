-- TotalsSql/Mismatches, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH sums AS (
    SELECT b.team_id, b.experiment_id,
               sum(b.session_count)::bigint AS session_count, sum(b.new_participant_count)::bigint AS participant_count,
               sum(b.human_message_count)::bigint AS human_message_count, max(b.last_activity) AS last_activity
        FROM "stats"."statscache_experiment_buckets" AS b 
        GROUP BY b.team_id, b.experiment_id
)
SELECT count(*)
FROM sums AS x
FULL JOIN "stats"."statscache_experiment_totals" AS t ON t.team_id = x.team_id AND t.experiment_id = x.experiment_id
WHERE (x.session_count, x.participant_count, x.human_message_count, x.last_activity)
      IS DISTINCT FROM (t.session_count, t.participant_count, t.human_message_count, t.last_activity)

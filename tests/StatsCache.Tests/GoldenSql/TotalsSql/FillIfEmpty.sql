-- TotalsSql/FillIfEmpty, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH sums AS (
    SELECT b.team_id, b.experiment_id,
               sum(b.session_count)::bigint AS session_count, sum(b.new_participant_count)::bigint AS participant_count,
               sum(b.human_message_count)::bigint AS human_message_count, max(b.last_activity) AS last_activity
        FROM "stats"."statscache_experiment_buckets" AS b 
        GROUP BY b.team_id, b.experiment_id
)
INSERT INTO "stats"."statscache_experiment_totals" AS t (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
SELECT team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, @now
FROM sums
WHERE NOT EXISTS (SELECT 1 FROM "stats"."statscache_experiment_totals")
ON CONFLICT (team_id, experiment_id) DO NOTHING

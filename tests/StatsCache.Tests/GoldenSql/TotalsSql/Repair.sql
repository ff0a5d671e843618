-- TotalsSql/Repair, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH sums AS (
    SELECT b.team_id, b.experiment_id,
               sum(b.session_count)::bigint AS session_count, sum(b.new_participant_count)::bigint AS participant_count,
               sum(b.human_message_count)::bigint AS human_message_count, max(b.last_activity) AS last_activity
        FROM "stats"."statscache_experiment_buckets" AS b 
        GROUP BY b.team_id, b.experiment_id
), fixed AS (
    INSERT INTO "stats"."statscache_experiment_totals" AS t (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
SELECT team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, @now
FROM sums
ON CONFLICT (team_id, experiment_id) DO UPDATE SET
    session_count = excluded.session_count,
    participant_count = excluded.participant_count,
    human_message_count = excluded.human_message_count,
    last_activity = excluded.last_activity,
    updated_at = excluded.updated_at
WHERE (t.session_count, t.participant_count, t.human_message_count, t.last_activity)
    IS DISTINCT FROM (excluded.session_count, excluded.participant_count, excluded.human_message_count, excluded.last_activity)
    RETURNING 1
), removed AS (
    DELETE FROM "stats"."statscache_experiment_totals" AS t
    WHERE NOT EXISTS (SELECT 1 FROM sums AS x WHERE x.team_id = t.team_id AND x.experiment_id = t.experiment_id)
    RETURNING 1
)
SELECT (SELECT count(*) FROM fixed) + (SELECT count(*) FROM removed)

-- TotalsSql/Repair, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_experiment_totals" AS t (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
SELECT b.team_id, b.experiment_id,
       sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint,
       sum(b.human_message_count)::bigint, max(b.last_activity), @now
FROM "stats"."statscache_experiment_buckets" AS b 

GROUP BY b.team_id, b.experiment_id
ON CONFLICT (team_id, experiment_id) DO UPDATE SET
    session_count = excluded.session_count,
    participant_count = excluded.participant_count,
    human_message_count = excluded.human_message_count,
    last_activity = excluded.last_activity,
    updated_at = excluded.updated_at
WHERE (t.session_count, t.participant_count, t.human_message_count, t.last_activity)
    IS DISTINCT FROM (excluded.session_count, excluded.participant_count, excluded.human_message_count, excluded.last_activity);

DELETE FROM "stats"."statscache_experiment_totals" AS t
WHERE NOT EXISTS (SELECT 1 FROM "stats"."statscache_experiment_buckets" AS b WHERE b.team_id = t.team_id AND b.experiment_id = t.experiment_id)

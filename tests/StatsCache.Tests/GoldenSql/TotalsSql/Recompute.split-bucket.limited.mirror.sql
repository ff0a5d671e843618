-- TotalsSql/Recompute.split-bucket.limited, for deletions=mirror (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DELETE FROM "stats"."statscache_experiment_totals" AS t
WHERE (t.team_id, t.experiment_id) IN (    SELECT DISTINCT b.team_id, b.experiment_id
    FROM "stats"."statscache_experiment_buckets" AS b
    WHERE b.bucket_size = ANY('{1,2,3}'::smallint[]) AND b.bucket_start >= @buckets_from AND b.bucket_start < @to
      AND b.updated_at = @now AND b.experiment_id = ANY(@experiments)
    UNION
    SELECT s.team_id, s.experiment_id FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
    WHERE s.created_at >= @from AND s.created_at < @to AND s.experiment_id = ANY(@experiments)
    UNION
    SELECT t.team_id, t.experiment_id FROM "stats"."statscache_experiment_totals" AS t WHERE t.updated_at = @now AND t.experiment_id = ANY(@experiments))
  AND NOT EXISTS (SELECT 1 FROM "stats"."statscache_experiment_buckets" AS b WHERE b.team_id = t.team_id AND b.experiment_id = t.experiment_id);

INSERT INTO "stats"."statscache_experiment_totals" AS t (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
SELECT b.team_id, b.experiment_id,
       sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint,
       sum(b.human_message_count)::bigint, max(b.last_activity), @now
FROM "stats"."statscache_experiment_buckets" AS b JOIN (    SELECT DISTINCT b.team_id, b.experiment_id
    FROM "stats"."statscache_experiment_buckets" AS b
    WHERE b.bucket_size = ANY('{1,2,3}'::smallint[]) AND b.bucket_start >= @buckets_from AND b.bucket_start < @to
      AND b.updated_at = @now AND b.experiment_id = ANY(@experiments)
    UNION
    SELECT s.team_id, s.experiment_id FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
    WHERE s.created_at >= @from AND s.created_at < @to AND s.experiment_id = ANY(@experiments)
    UNION
    SELECT t.team_id, t.experiment_id FROM "stats"."statscache_experiment_totals" AS t WHERE t.updated_at = @now AND t.experiment_id = ANY(@experiments)) AS s ON b.team_id = s.team_id AND b.experiment_id = s.experiment_id

GROUP BY b.team_id, b.experiment_id
ON CONFLICT (team_id, experiment_id) DO UPDATE SET
    session_count = excluded.session_count,
    participant_count = excluded.participant_count,
    human_message_count = excluded.human_message_count,
    last_activity = excluded.last_activity,
    updated_at = excluded.updated_at
WHERE (t.session_count, t.participant_count, t.human_message_count, t.last_activity)
    IS DISTINCT FROM (excluded.session_count, excluded.participant_count, excluded.human_message_count, excluded.last_activity)

-- TotalsSql/ApplyBucketDeltas.hour.limited, for deletions=keep-history (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_experiment_totals" AS t (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
SELECT d.team_id, d.experiment_id, sum(d.session_count)::bigint, sum(d.participant_count)::bigint,
       sum(d.human_message_count)::bigint, max(d.last_activity), @now
FROM (
    SELECT f.team_id, f.experiment_id,
           GREATEST(b.session_count, f.session_count) - coalesce(b.session_count, 0) AS session_count,
           f.new_participant_count - coalesce(b.new_participant_count, 0) AS participant_count,
           GREATEST(b.human_message_count, f.human_message_count) - coalesce(b.human_message_count, 0) AS human_message_count,
           f.last_activity
    FROM (
    SELECT team_id, experiment_id, bucket_start,
           sum(session_count) AS session_count,
           sum(new_participant_count) AS new_participant_count,
           sum(human_message_count) AS human_message_count,
           max(last_activity) AS last_activity
    FROM (
        SELECT s.team_id, s.experiment_id, date_trunc('hour', s.created_at, 'UTC') AS bucket_start,
               count(*) AS session_count, 0 AS new_participant_count, 0 AS human_message_count, NULL::timestamptz AS last_activity
        FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
        WHERE s.created_at >= @from AND s.created_at < @to AND s.experiment_id = ANY(@experiments)
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT m.team_id, m.experiment_id, date_trunc('hour', m.created_at, 'UTC'),
               0, 0, count(*), max(m.created_at)
        FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
        WHERE m.created_at >= @from AND m.created_at < @to AND m.experiment_id = ANY(@experiments)
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT f.team_id, f.experiment_id, date_trunc('hour', f.first_seen_at, 'UTC'),
               0, count(*), 0, NULL
        FROM "stats"."statscache_participant_first_seen" AS f
        WHERE f.first_seen_at >= @from AND f.first_seen_at < @to AND f.experiment_id = ANY(@experiments)
        GROUP BY 1, 2, 3
    ) AS parts
    GROUP BY team_id, experiment_id, bucket_start
) AS f
    LEFT JOIN "stats"."statscache_experiment_buckets" AS b
      ON b.team_id = f.team_id AND b.experiment_id = f.experiment_id AND b.bucket_start = f.bucket_start AND b.bucket_size = 1
) AS d
GROUP BY d.team_id, d.experiment_id
ON CONFLICT (team_id, experiment_id) DO UPDATE SET
    session_count = t.session_count + excluded.session_count,
    participant_count = t.participant_count + excluded.participant_count,
    human_message_count = t.human_message_count + excluded.human_message_count,
    last_activity = GREATEST(t.last_activity, excluded.last_activity),
    updated_at = excluded.updated_at
WHERE excluded.session_count <> 0 OR excluded.participant_count <> 0 OR excluded.human_message_count <> 0
   OR t.last_activity IS DISTINCT FROM GREATEST(t.last_activity, excluded.last_activity)

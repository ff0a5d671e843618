-- BucketRecomputeSql/Upsert.month.limited, for deletions=keep-history, zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.

INSERT INTO "stats"."statscache_experiment_buckets" AS b
    (team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity, updated_at)
SELECT team_id, experiment_id, 3, bucket_start, session_count, new_participant_count, human_message_count, last_activity, @now
FROM (
    SELECT team_id, experiment_id, bucket_start,
           sum(session_count) AS session_count,
           sum(new_participant_count) AS new_participant_count,
           sum(human_message_count) AS human_message_count,
           max(last_activity) AS last_activity
    FROM (
        SELECT s.team_id, s.experiment_id, date_trunc('month', s.created_at, 'UTC') AS bucket_start,
               count(*) AS session_count, 0 AS new_participant_count, 0 AS human_message_count, NULL::timestamptz AS last_activity
        FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
        WHERE s.created_at >= @from AND s.created_at < @to AND s.experiment_id = ANY(@experiments)
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT m.team_id, m.experiment_id, date_trunc('month', m.created_at, 'UTC'),
               0, 0, count(*), max(m.created_at)
        FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
        WHERE m.created_at >= @from AND m.created_at < @to AND m.experiment_id = ANY(@experiments)
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT f.team_id, f.experiment_id, date_trunc('month', f.first_seen_at, 'UTC'),
               0, count(*), 0, NULL
        FROM "stats"."statscache_participant_first_seen" AS f
        WHERE f.first_seen_at >= @from AND f.first_seen_at < @to AND f.experiment_id = ANY(@experiments)
        GROUP BY 1, 2, 3
    ) AS parts
    GROUP BY team_id, experiment_id, bucket_start
) AS fresh
ON CONFLICT (team_id, experiment_id, bucket_start, bucket_size) DO UPDATE SET
    session_count = GREATEST(b.session_count, excluded.session_count),
    new_participant_count = excluded.new_participant_count,
    human_message_count = GREATEST(b.human_message_count, excluded.human_message_count),
    last_activity = GREATEST(b.last_activity, excluded.last_activity),
    updated_at = excluded.updated_at
-- A refresh re-reads its look-back every run: rows that would not change are not rewritten.
WHERE (b.session_count, b.new_participant_count, b.human_message_count, b.last_activity)
    IS DISTINCT FROM (GREATEST(b.session_count, excluded.session_count), excluded.new_participant_count, GREATEST(b.human_message_count, excluded.human_message_count), GREATEST(b.last_activity, excluded.last_activity))

-- BulkBuildSql/Buckets, for zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_experiment_buckets" (team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity, updated_at)
SELECT team_id, experiment_id, bucket_size, bucket_start, sum(session_count), sum(new_participant_count), sum(human_message_count), max(last_activity), @now
FROM (
    SELECT s.team_id, s.experiment_id, CASE WHEN s.created_at < @daily_from THEN 3 WHEN s.created_at < @hourly_from THEN 2 ELSE 1 END AS bucket_size, CASE WHEN s.created_at < @daily_from THEN date_trunc('month', s.created_at, 'UTC') WHEN s.created_at < @hourly_from THEN date_trunc('day', s.created_at, 'UTC') ELSE date_trunc('hour', s.created_at, 'UTC') END AS bucket_start,
           count(*) AS session_count, 0 AS new_participant_count, 0 AS human_message_count, NULL::timestamptz AS last_activity
    FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
    WHERE s.created_at >= @from AND s.created_at < @to
    GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT m.team_id, m.experiment_id, CASE WHEN m.created_at < @daily_from THEN 3 WHEN m.created_at < @hourly_from THEN 2 ELSE 1 END, CASE WHEN m.created_at < @daily_from THEN date_trunc('month', m.created_at, 'UTC') WHEN m.created_at < @hourly_from THEN date_trunc('day', m.created_at, 'UTC') ELSE date_trunc('hour', m.created_at, 'UTC') END, 0, 0, count(*), max(m.created_at)
    FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    WHERE m.created_at >= @from AND m.created_at < @to
    GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT f.team_id, f.experiment_id, CASE WHEN f.first_seen_at < @daily_from THEN 3 WHEN f.first_seen_at < @hourly_from THEN 2 ELSE 1 END, CASE WHEN f.first_seen_at < @daily_from THEN date_trunc('month', f.first_seen_at, 'UTC') WHEN f.first_seen_at < @hourly_from THEN date_trunc('day', f.first_seen_at, 'UTC') ELSE date_trunc('hour', f.first_seen_at, 'UTC') END, 0, count(*), 0, NULL
    FROM "stats"."statscache_participant_first_seen" AS f
    GROUP BY 1, 2, 3, 4
) AS parts
GROUP BY team_id, experiment_id, bucket_size, bucket_start

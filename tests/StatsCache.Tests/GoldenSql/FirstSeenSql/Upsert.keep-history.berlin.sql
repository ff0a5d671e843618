-- FirstSeenSql/Upsert, for deletions=keep-history, zone=berlin (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH candidates AS (
    SELECT s.team_id, s.experiment_id, s.participant_id, min(s.created_at) AS first_seen_at
    FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
    WHERE s.created_at >= @from AND s.created_at < @to AND s.participant_id IS NOT NULL
    GROUP BY s.team_id, s.experiment_id, s.participant_id
), moved AS (
    SELECT c.team_id, c.experiment_id, c.participant_id, c.first_seen_at, f.first_seen_at AS previous_first_seen_at
    FROM candidates AS c
    LEFT JOIN "stats"."statscache_participant_first_seen" AS f
      ON f.team_id = c.team_id AND f.experiment_id = c.experiment_id AND f.participant_id = c.participant_id
    WHERE f.first_seen_at IS NULL OR c.first_seen_at < f.first_seen_at
), left_behind AS (
    SELECT b.team_id, b.experiment_id, b.bucket_start, b.bucket_size, count(*) AS participants
    FROM moved AS m
    JOIN "stats"."statscache_experiment_buckets" AS b ON b.team_id = m.team_id AND b.experiment_id = m.experiment_id AND b.bucket_start <= m.previous_first_seen_at AND b.bucket_start > m.previous_first_seen_at - interval '32 days' AND m.previous_first_seen_at < (CASE b.bucket_size WHEN 1 THEN b.bucket_start + interval '1 hour' ELSE (date_trunc('day', b.bucket_start AT TIME ZONE 'Europe/Berlin') + CASE b.bucket_size WHEN 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'Europe/Berlin' END)
    WHERE m.previous_first_seen_at IS NOT NULL
      AND (m.previous_first_seen_at < @from OR m.previous_first_seen_at >= @to)
    GROUP BY b.team_id, b.experiment_id, b.bucket_start, b.bucket_size
), moved_out AS (
    UPDATE "stats"."statscache_experiment_buckets" AS b
    SET new_participant_count = b.new_participant_count - l.participants, updated_at = @now
    FROM left_behind AS l
    WHERE b.team_id = l.team_id AND b.experiment_id = l.experiment_id
      AND b.bucket_start = l.bucket_start AND b.bucket_size = l.bucket_size
)
INSERT INTO "stats"."statscache_participant_first_seen" AS f (team_id, experiment_id, participant_id, first_seen_at)
SELECT team_id, experiment_id, participant_id, first_seen_at FROM moved
ON CONFLICT (team_id, experiment_id, participant_id) DO UPDATE SET first_seen_at = excluded.first_seen_at

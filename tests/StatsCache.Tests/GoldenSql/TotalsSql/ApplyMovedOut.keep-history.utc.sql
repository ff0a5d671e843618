-- TotalsSql/ApplyMovedOut, for deletions=keep-history, zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
UPDATE "stats"."statscache_experiment_totals" AS t
SET participant_count = t.participant_count - l.participants, updated_at = @now
FROM (
    SELECT m.team_id, m.experiment_id, sum(m.participants)::bigint AS participants
    FROM (
        SELECT x.team_id, x.experiment_id, x.bucket_start, x.bucket_size, count(*) AS participants
    FROM (SELECT s.team_id, s.experiment_id, s.participant_id, min(s.created_at) AS first_seen_at
        FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
        WHERE s.created_at >= @from AND s.created_at < @to AND s.participant_id IS NOT NULL
        GROUP BY s.team_id, s.experiment_id, s.participant_id) AS c
    JOIN "stats"."statscache_participant_first_seen" AS f
      ON f.team_id = c.team_id AND f.experiment_id = c.experiment_id AND f.participant_id = c.participant_id
     AND f.first_seen_at >= @to AND c.first_seen_at < f.first_seen_at
    JOIN "stats"."statscache_experiment_buckets" AS x ON x.team_id = f.team_id AND x.experiment_id = f.experiment_id AND x.bucket_start <= f.first_seen_at AND x.bucket_start > f.first_seen_at - interval '32 days' AND f.first_seen_at < (CASE WHEN x.bucket_size = 1 THEN x.bucket_start + interval '1 hour' ELSE (date_trunc('day', x.bucket_start AT TIME ZONE 'UTC') + CASE WHEN x.bucket_size = 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'UTC' END)
    GROUP BY x.team_id, x.experiment_id, x.bucket_start, x.bucket_size
    ) AS m
    GROUP BY m.team_id, m.experiment_id
) AS l
WHERE t.team_id = l.team_id AND t.experiment_id = l.experiment_id

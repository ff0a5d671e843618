-- VerifySql/Compare, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH r AS (
    SELECT u.range_start, coalesce(lead(u.range_start) OVER (ORDER BY u.n), @to) AS range_end, u.n
    FROM unnest(@starts::timestamptz[]) WITH ORDINALITY AS u(range_start, n)
), cached AS (
    SELECT width_bucket(b.bucket_start, @starts::timestamptz[]) AS n,
           sum(b.session_count) AS sessions, sum(b.human_message_count) AS messages, max(b.last_activity) AS last_activity
    FROM "stats"."statscache_experiment_buckets" AS b
    WHERE b.bucket_size = ANY(ARRAY[1, 2, 3]::smallint[]) AND b.bucket_start >= @from AND b.bucket_start < @to
    GROUP BY 1
), source_sessions AS (
    SELECT r.n, count(*) AS sessions
    FROM r JOIN (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s ON s.created_at >= r.range_start AND s.created_at < r.range_end
    GROUP BY r.n
), source_messages AS (
    SELECT r.n, count(*) AS messages, max(m.created_at) AS last_activity
    FROM r JOIN (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m ON m.created_at >= r.range_start AND m.created_at < r.range_end
    GROUP BY r.n
)
SELECT r.n, coalesce(ss.sessions, 0)::bigint, coalesce(sm.messages, 0)::bigint, sm.last_activity,
       coalesce(c.sessions, 0)::bigint, coalesce(c.messages, 0)::bigint, c.last_activity
FROM r
LEFT JOIN source_sessions AS ss ON ss.n = r.n
LEFT JOIN source_messages AS sm ON sm.n = r.n
LEFT JOIN cached AS c ON c.n = r.n
ORDER BY r.n

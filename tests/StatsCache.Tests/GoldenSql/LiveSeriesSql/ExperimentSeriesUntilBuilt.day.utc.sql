-- LiveSeriesSql/ExperimentSeriesUntilBuilt.day, for zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT c.* FROM (SELECT b.experiment_id,
       CASE WHEN b.bucket_size >= 2 THEN b.bucket_start
            ELSE date_trunc('day', b.bucket_start, 'UTC') END AS point_start,
       GREATEST(b.bucket_size, 2::smallint) AS point_size,
       sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint, sum(b.human_message_count)::bigint, max(b.last_activity)
FROM "stats"."statscache_experiment_buckets" AS b
WHERE b.team_id = @team AND b.experiment_id = ANY(@ids)
  AND b.bucket_start < @to AND b.bucket_start > @from - interval '32 days' AND (CASE WHEN b.bucket_size = 1 THEN b.bucket_start + interval '1 hour' ELSE (date_trunc('day', b.bucket_start AT TIME ZONE 'UTC') + CASE WHEN b.bucket_size = 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'UTC' END) > @from
GROUP BY 1, 2, 3
ORDER BY 1, 2) AS c WHERE (SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_experiment_buckets" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL)
UNION ALL
SELECT l.* FROM (SELECT p.experiment_id, p.point_start, 2::smallint AS point_size,
       sum(p.sessions)::bigint, sum(p.participants)::bigint, sum(p.messages)::bigint, max(p.last_activity)
FROM (
    SELECT s.experiment_id, date_trunc('day', s.created_at, 'UTC') AS point_start,
           1 AS sessions, 0 AS participants, 0 AS messages, NULL::timestamptz AS last_activity
    FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
    WHERE s.team_id = @team AND s.experiment_id = ANY(@ids) AND s.created_at >= @live_from AND s.created_at < @live_to
    UNION ALL
    SELECT f.experiment_id, date_trunc('day', f.first_at, 'UTC'), 0, 1, 0, NULL
    FROM (
        SELECT s.experiment_id, min(s.created_at) AS first_at
        FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
        WHERE s.team_id = @team AND s.experiment_id = ANY(@ids) AND s.participant_id IS NOT NULL AND s.created_at < @live_to
        GROUP BY s.experiment_id, s.participant_id
    ) AS f
    WHERE f.first_at >= @live_from
    UNION ALL
    SELECT m.experiment_id, date_trunc('day', m.created_at, 'UTC'), 0, 0, 1, m.created_at
    FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    WHERE m.team_id = @team AND m.experiment_id = ANY(@ids) AND m.created_at >= @live_from AND m.created_at < @live_to
) AS p
GROUP BY p.experiment_id, p.point_start) AS l WHERE NOT ((SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_experiment_buckets" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL))
ORDER BY 1, 2

-- MeasureSeriesSql/ExperimentSeries.month, for zone=berlin (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT b.experiment_id,
       CASE WHEN b.bucket_size >= 3 THEN b.bucket_start
            ELSE date_trunc('month', b.bucket_start, 'Europe/Berlin') END AS point_start,
       GREATEST(b.bucket_size, 3::smallint) AS point_size,
       'bot_messages'::text AS measure, sum(b.value)::bigint AS value
FROM "stats"."statscache_experiment_measure_buckets" AS b
WHERE ((SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_experiment_buckets" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL) AND ((SELECT r.fingerprint FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache AND r.measure = 'bot_messages') = 'bb9e7c8adb0ad43c2865092da8242ad4c6b4a182c453b3d5fa97f40141c659d9') IS TRUE) AND b.team_id = @team AND b.experiment_id = ANY(@ids) AND b.measure = 'bot_messages'
  AND b.bucket_start < @to AND b.bucket_start > @from - interval '32 days' AND (CASE WHEN b.bucket_size = 1 THEN b.bucket_start + interval '1 hour' ELSE (date_trunc('day', b.bucket_start AT TIME ZONE 'Europe/Berlin') + CASE WHEN b.bucket_size = 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'Europe/Berlin' END) > @from
GROUP BY 1, 2, 3
UNION ALL
SELECT p.experiment_id, p.bucket_start, p.bucket_size, 'bot_messages'::text, sum(p.value)::bigint
FROM (
    SELECT s.experiment_id, 1 AS value, k.size AS bucket_size,
           CASE WHEN k.size = 1 THEN date_trunc('hour', s.created_at, 'UTC')
                WHEN k.size = 2 THEN date_trunc('day', s.created_at, 'Europe/Berlin')
                ELSE date_trunc('month', s.created_at, 'Europe/Berlin') END AS bucket_start
    FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'
) AS s
    CROSS JOIN LATERAL (SELECT GREATEST(3, CASE WHEN (SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_experiment_buckets" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL) THEN (CASE WHEN s.created_at < (SELECT st.daily_from FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) THEN 3 WHEN s.created_at < (SELECT st.hourly_from FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) THEN 2 ELSE 1 END) ELSE 3 END)::smallint AS size) AS k
    WHERE NOT ((SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_experiment_buckets" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL) AND ((SELECT r.fingerprint FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache AND r.measure = 'bot_messages') = 'bb9e7c8adb0ad43c2865092da8242ad4c6b4a182c453b3d5fa97f40141c659d9') IS TRUE) AND s.team_id = @team AND s.experiment_id = ANY(@ids)
      AND s.created_at > @from - interval '32 days' AND s.created_at < @to + interval '32 days'
) AS p
WHERE p.bucket_start < @to AND (CASE WHEN p.bucket_size = 1 THEN p.bucket_start + interval '1 hour' ELSE (date_trunc('day', p.bucket_start AT TIME ZONE 'Europe/Berlin') + CASE WHEN p.bucket_size = 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'Europe/Berlin' END) > @from
GROUP BY 1, 2, 3
UNION ALL
SELECT b.experiment_id,
       CASE WHEN b.bucket_size >= 3 THEN b.bucket_start
            ELSE date_trunc('month', b.bucket_start, 'Europe/Berlin') END AS point_start,
       GREATEST(b.bucket_size, 3::smallint) AS point_size,
       'tokens_used'::text AS measure, sum(b.value)::bigint AS value
FROM "stats"."statscache_experiment_measure_buckets" AS b
WHERE ((SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_experiment_buckets" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL) AND ((SELECT r.fingerprint FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache AND r.measure = 'tokens_used') = 'f52b994d71aac256feef2f434c43341664a5fb2212b01de858341063e7c254d5') IS TRUE) AND b.team_id = @team AND b.experiment_id = ANY(@ids) AND b.measure = 'tokens_used'
  AND b.bucket_start < @to AND b.bucket_start > @from - interval '32 days' AND (CASE WHEN b.bucket_size = 1 THEN b.bucket_start + interval '1 hour' ELSE (date_trunc('day', b.bucket_start AT TIME ZONE 'Europe/Berlin') + CASE WHEN b.bucket_size = 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'Europe/Berlin' END) > @from
GROUP BY 1, 2, 3
UNION ALL
SELECT p.experiment_id, p.bucket_start, p.bucket_size, 'tokens_used'::text, sum(p.value)::bigint
FROM (
    SELECT s.experiment_id, coalesce(s.value, 0) AS value, k.size AS bucket_size,
           CASE WHEN k.size = 1 THEN date_trunc('hour', s.created_at, 'UTC')
                WHEN k.size = 2 THEN date_trunc('day', s.created_at, 'Europe/Berlin')
                ELSE date_trunc('month', s.created_at, 'Europe/Berlin') END AS bucket_start
    FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."created_at" AS created_at, t."tokens" AS value FROM "app"."messages" AS t) AS s
    CROSS JOIN LATERAL (SELECT GREATEST(3, CASE WHEN (SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_experiment_buckets" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL) THEN (CASE WHEN s.created_at < (SELECT st.daily_from FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) THEN 3 WHEN s.created_at < (SELECT st.hourly_from FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) THEN 2 ELSE 1 END) ELSE 3 END)::smallint AS size) AS k
    WHERE NOT ((SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_experiment_buckets" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL) AND ((SELECT r.fingerprint FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache AND r.measure = 'tokens_used') = 'f52b994d71aac256feef2f434c43341664a5fb2212b01de858341063e7c254d5') IS TRUE) AND s.team_id = @team AND s.experiment_id = ANY(@ids)
      AND s.created_at > @from - interval '32 days' AND s.created_at < @to + interval '32 days'
) AS p
WHERE p.bucket_start < @to AND (CASE WHEN p.bucket_size = 1 THEN p.bucket_start + interval '1 hour' ELSE (date_trunc('day', p.bucket_start AT TIME ZONE 'Europe/Berlin') + CASE WHEN p.bucket_size = 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'Europe/Berlin' END) > @from
GROUP BY 1, 2, 3
ORDER BY 1, 2, 4

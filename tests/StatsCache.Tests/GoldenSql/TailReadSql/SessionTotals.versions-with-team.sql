-- TailReadSql/SessionTotals, for versions=versions-with-team (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT i.id,
       (coalesce(st.human_message_count, 0) + tm.messages)::bigint,
       GREATEST(st.last_activity, tm.last_activity),
       ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(coalesce(st.versions, '{}') || tv.versions) AS x ORDER BY 1)
FROM unnest(@ids) AS i(id)
LEFT JOIN "stats"."statscache_session_statistics" AS st ON (SELECT NOT @live) AND st.team_id = @team AND st.session_id = i.id
CROSS JOIN LATERAL (
    SELECT count(*) AS messages, max(m.created_at) AS last_activity
    FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    WHERE m.session_id = i.id AND m.team_id = @team AND m.created_at >= (CASE WHEN @live THEN '-infinity'::timestamptz ELSE coalesce((SELECT st.watermark FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache), '-infinity'::timestamptz) END)
) AS tm
CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(DISTINCT v.version::text COLLATE "C"), '{}') AS versions
    FROM (SELECT t."team_id" AS team_id, t."session_id" AS session_id, t."version" AS version, t."created_at" AS created_at FROM "app"."session_versions" AS t) AS v
    WHERE v.session_id = i.id AND v.created_at >= (CASE WHEN @live THEN '-infinity'::timestamptz ELSE coalesce((SELECT st.watermark FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache), '-infinity'::timestamptz) END)
      AND v.team_id = @team
) AS tv

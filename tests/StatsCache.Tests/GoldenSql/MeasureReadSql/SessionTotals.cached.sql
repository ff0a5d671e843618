-- MeasureReadSql/SessionTotals.cached, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT v.id, v.measure, sum(v.value)::bigint
FROM (
SELECT t.session_id AS id, 'bot_messages'::text AS measure, t.value
FROM "stats"."statscache_session_measures" AS t
WHERE ((SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_session_statistics" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL) AND ((SELECT r.fingerprint FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache AND r.measure = 'bot_messages') = 'bb9e7c8adb0ad43c2865092da8242ad4c6b4a182c453b3d5fa97f40141c659d9') IS TRUE) AND t.team_id = @team AND t.session_id = ANY(@ids) AND t.measure = 'bot_messages'
UNION ALL
SELECT s.session_id AS id, 'bot_messages'::text AS measure, count(*) AS value
FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'
) AS s
WHERE s.team_id = @team AND s.session_id = ANY(@ids) AND NOT ((SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_session_statistics" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL) AND ((SELECT r.fingerprint FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache AND r.measure = 'bot_messages') = 'bb9e7c8adb0ad43c2865092da8242ad4c6b4a182c453b3d5fa97f40141c659d9') IS TRUE)
GROUP BY s.session_id
UNION ALL
SELECT t.session_id AS id, 'tokens_used'::text AS measure, t.value
FROM "stats"."statscache_session_measures" AS t
WHERE ((SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_session_statistics" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL) AND ((SELECT r.fingerprint FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache AND r.measure = 'tokens_used') = 'f52b994d71aac256feef2f434c43341664a5fb2212b01de858341063e7c254d5') IS TRUE) AND t.team_id = @team AND t.session_id = ANY(@ids) AND t.measure = 'tokens_used'
UNION ALL
SELECT s.session_id AS id, 'tokens_used'::text AS measure, coalesce(sum(s.value), 0)::bigint AS value
FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."created_at" AS created_at, t."tokens" AS value FROM "app"."messages" AS t) AS s
WHERE s.team_id = @team AND s.session_id = ANY(@ids) AND NOT ((SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_session_statistics" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL) AND ((SELECT r.fingerprint FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache AND r.measure = 'tokens_used') = 'f52b994d71aac256feef2f434c43341664a5fb2212b01de858341063e7c254d5') IS TRUE)
GROUP BY s.session_id
) AS v
GROUP BY v.id, v.measure

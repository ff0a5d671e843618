-- MeasureBuildSql/Sessions.sum, for keys=guid (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_session_measures" (team_id, session_id, measure, experiment_id, value, last_at, updated_at)
SELECT x.team_id, x.session_id, 'tokens_used', (max(x.experiment_id::text COLLATE "C"))::uuid, coalesce(sum(x.value), 0)::bigint, max(x.created_at), @now
FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."created_at" AS created_at, t."tokens" AS value FROM "app"."messages" AS t) AS x
WHERE x.created_at < @to
GROUP BY x.team_id, x.session_id

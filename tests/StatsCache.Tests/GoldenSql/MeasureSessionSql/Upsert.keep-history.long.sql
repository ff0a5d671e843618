-- MeasureSessionSql/Upsert, for deletions=keep-history, keys=long (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_session_measures" AS s (team_id, session_id, measure, experiment_id, value, last_at, updated_at)
SELECT k.team_id, k.session_id, 'bot_messages'::varchar(63), w.experiment_id, w.value, w.last_at, @now
FROM (SELECT DISTINCT x.team_id, x.session_id FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'
) AS x
      WHERE x.created_at >= @from AND x.created_at < @to) AS k
CROSS JOIN LATERAL (
    SELECT max(x.experiment_id) AS experiment_id, count(*) AS value, max(x.created_at) AS last_at, count(*) AS row_count
        FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'
) AS x
        WHERE x.team_id = k.team_id AND x.session_id = k.session_id AND x.created_at < @sessions_until
) AS w
UNION ALL
SELECT k.team_id, k.session_id, 'tokens_used'::varchar(63), w.experiment_id, w.value, w.last_at, @now
FROM (SELECT DISTINCT x.team_id, x.session_id FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."created_at" AS created_at, t."tokens" AS value FROM "app"."messages" AS t) AS x
      WHERE x.created_at >= @from AND x.created_at < @to) AS k
CROSS JOIN LATERAL (
    SELECT max(x.experiment_id) AS experiment_id, coalesce(sum(x.value), 0)::bigint AS value, max(x.created_at) AS last_at, count(*) AS row_count
        FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."created_at" AS created_at, t."tokens" AS value FROM "app"."messages" AS t) AS x
        WHERE x.team_id = k.team_id AND x.session_id = k.session_id AND x.created_at < @sessions_until
) AS w
ON CONFLICT (team_id, session_id, measure) DO UPDATE SET
    experiment_id = excluded.experiment_id,
    value = GREATEST(s.value, excluded.value),
    last_at = GREATEST(s.last_at, excluded.last_at),
    updated_at = excluded.updated_at
-- A refresh re-reads its look-back every run: sessions that would not change are not rewritten.
WHERE s.experiment_id <> excluded.experiment_id OR s.value < excluded.value
   OR s.last_at IS DISTINCT FROM GREATEST(s.last_at, excluded.last_at)

-- MeasureBuildSql/Sessions.count, for keys=guid (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_session_measures" (team_id, session_id, measure, experiment_id, value, last_at, updated_at)
SELECT x.team_id, x.session_id, 'bot_messages', (max(x.experiment_id::text COLLATE "C"))::uuid, count(*), max(x.created_at), @now
FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'
) AS x
WHERE x.created_at < @to
GROUP BY x.team_id, x.session_id

-- BulkBuildSql/FirstSeen, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_participant_first_seen" (team_id, experiment_id, participant_id, first_seen_at)
SELECT s.team_id, s.experiment_id, s.participant_id, min(s.created_at)
FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
WHERE s.created_at >= @from AND s.created_at < @to AND s.participant_id IS NOT NULL
GROUP BY s.team_id, s.experiment_id, s.participant_id

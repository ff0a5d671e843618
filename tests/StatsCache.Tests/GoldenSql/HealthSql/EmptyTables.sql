-- HealthSql/EmptyTables, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT ((SELECT true FROM "stats"."statscache_experiment_buckets" LIMIT 1) IS NOT NULL), ((SELECT true FROM "stats"."statscache_session_statistics" LIMIT 1) IS NOT NULL),
       CASE WHEN ((SELECT true FROM "stats"."statscache_experiment_buckets" LIMIT 1) IS NOT NULL) AND ((SELECT true FROM "stats"."statscache_session_statistics" LIMIT 1) IS NOT NULL) THEN false
            ELSE ((SELECT true FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s LIMIT 1) IS NOT NULL) END

-- HealthSql/EmptyTables, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT EXISTS (SELECT 1 FROM "stats"."statscache_experiment_buckets"), EXISTS (SELECT 1 FROM "stats"."statscache_session_statistics"),
       CASE WHEN EXISTS (SELECT 1 FROM "stats"."statscache_experiment_buckets") AND EXISTS (SELECT 1 FROM "stats"."statscache_session_statistics") THEN false
            ELSE EXISTS (SELECT 1 FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s) END

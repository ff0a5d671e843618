-- StateSql/EarliestSourceRow.limited, for deletions=mirror (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT least(
    (SELECT min(s.created_at) FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s WHERE true AND s.experiment_id = ANY(@experiments)),
    (SELECT min(m.created_at) FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m WHERE true AND m.experiment_id = ANY(@experiments)),
    (SELECT min(b.bucket_start) FROM "stats"."statscache_experiment_buckets" AS b WHERE true AND b.experiment_id = ANY(@experiments)))

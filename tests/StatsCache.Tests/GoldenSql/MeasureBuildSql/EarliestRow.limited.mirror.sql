-- MeasureBuildSql/EarliestRow.limited, for deletions=mirror (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT least(
    (SELECT min(x.created_at) FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'
) AS x WHERE true AND x.experiment_id = ANY(@experiments)),
    (SELECT min(x.created_at) FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."created_at" AS created_at, t."tokens" AS value FROM "app"."messages" AS t) AS x WHERE true AND x.experiment_id = ANY(@experiments)),
    (SELECT min(b.bucket_start) FROM "stats"."statscache_experiment_measure_buckets" AS b WHERE true AND b.experiment_id = ANY(@experiments)))

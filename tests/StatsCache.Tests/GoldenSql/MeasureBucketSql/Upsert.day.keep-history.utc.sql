-- MeasureBucketSql/Upsert.day, for deletions=keep-history, zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_experiment_measure_buckets" AS b (team_id, experiment_id, measure, bucket_size, bucket_start, value, updated_at)
SELECT f.team_id, f.experiment_id, f.measure, 2, f.bucket_start, f.value, @now
FROM (
    SELECT x.team_id, x.experiment_id, 'bot_messages'::varchar(63) AS measure, date_trunc('day', x.created_at, 'UTC') AS bucket_start,
           count(*) AS value
    FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'
) AS x
    WHERE x.created_at >= @from AND x.created_at < @to
    GROUP BY 1, 2, 4
    UNION ALL
    SELECT x.team_id, x.experiment_id, 'tokens_used'::varchar(63) AS measure, date_trunc('day', x.created_at, 'UTC') AS bucket_start,
           coalesce(sum(x.value), 0)::bigint AS value
    FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."created_at" AS created_at, t."tokens" AS value FROM "app"."messages" AS t) AS x
    WHERE x.created_at >= @from AND x.created_at < @to
    GROUP BY 1, 2, 4
) AS f
ON CONFLICT (team_id, experiment_id, measure, bucket_start, bucket_size) DO UPDATE SET
    value = GREATEST(b.value, excluded.value),
    updated_at = excluded.updated_at
-- A refresh re-reads its look-back every run: buckets that would not change are not rewritten.
WHERE b.value < excluded.value

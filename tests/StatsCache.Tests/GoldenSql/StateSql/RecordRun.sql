-- StateSql/RecordRun, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH forgotten AS (
    DELETE FROM "stats"."statscache_runs" WHERE cache_name = @cache AND started_at < @started_at - interval '30 days'
)
INSERT INTO "stats"."statscache_runs" (cache_name, operation, started_at, duration_ms, rows_written, detail)
VALUES (@cache, @operation, @started_at, @duration_ms, @rows_written, @detail)

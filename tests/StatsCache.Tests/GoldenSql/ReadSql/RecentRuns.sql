-- ReadSql/RecentRuns, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT operation, started_at, duration_ms, rows_written, detail
FROM "stats"."statscache_runs" WHERE cache_name = @cache
ORDER BY started_at DESC, id DESC
LIMIT @limit

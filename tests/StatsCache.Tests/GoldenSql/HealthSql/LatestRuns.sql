-- HealthSql/LatestRuns, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT o.op, r.operation, r.started_at, r.detail
FROM unnest(ARRAY['refresh', 'backfill', 'compress', 'reconcile', 'verify']) AS o(op)
CROSS JOIN LATERAL (
    SELECT x.operation, x.started_at, x.detail
    FROM "stats"."statscache_runs" AS x
    WHERE x.cache_name = @cache AND x.operation IN (o.op, o.op || ' failed', o.op || ' drift')
    ORDER BY x.started_at DESC, x.id DESC
    LIMIT 1
) AS r

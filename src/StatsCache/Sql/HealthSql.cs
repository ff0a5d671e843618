namespace StatsCache.Sql;

/// <summary>The health check's statements: a catalog lookup, the state row, the latest run of each operation.</summary>
internal static class HealthSql
{
    /// <summary>The cache tables (quoted, qualified names in @tables) that do not exist: catalog lookups only.</summary>
    public const string MissingTables = "SELECT t.name FROM unnest(@tables::text[]) AS t(name) WHERE to_regclass(t.name) IS NULL";

    /// <summary>
    /// The latest run of each operation, counting its failures ("refresh failed") and a verify's drift
    /// ("verify drift"): one short index scan per operation on (cache_name, operation, started_at).
    /// </summary>
    public static string LatestRuns(CacheSql sql) => $"""
        SELECT o.op, r.operation, r.started_at, r.detail
        FROM unnest(ARRAY['refresh', 'backfill', 'compress', 'reconcile', 'verify']) AS o(op)
        CROSS JOIN LATERAL (
            SELECT x.operation, x.started_at, x.detail
            FROM {sql.Runs} AS x
            WHERE x.cache_name = @cache AND x.operation IN (o.op, o.op || ' failed', o.op || ' drift')
            ORDER BY x.started_at DESC, x.id DESC
            LIMIT 1
        ) AS r
        """;

    /// <summary>
    /// Whether the bucket and session tables hold rows, and — only if one is empty — whether the source
    /// does: a table emptied (dropped and recreated) under a built state row. CASE keeps the source probe lazy.
    /// </summary>
    public static string EmptyTables(CacheSql sql) => $"""
        SELECT {CacheSql.HasRows(sql.Buckets)}, {CacheSql.HasRows(sql.SessionStatistics)},
               CASE WHEN {CacheSql.HasRows(sql.Buckets)} AND {CacheSql.HasRows(sql.SessionStatistics)} THEN false
                    ELSE {CacheSql.HasRows(sql.Sessions + " AS s")} END
        """;
}

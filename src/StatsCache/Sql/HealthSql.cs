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

    /// <summary>
    /// The declared measures (@measures, with their fingerprints @fingerprints: parallel text arrays, in declaration order)
    /// that the cache has not registered with their current definition: served live until the next maintenance call builds
    /// them. One probe of the registry's key per measure; only sent when measures are declared.
    /// </summary>
    public static string UnbuiltMeasures(CacheSql sql) => $"""
        SELECT d.measure
        FROM unnest(@measures::text[], @fingerprints::text[]) WITH ORDINALITY AS d(measure, fingerprint, n)
        WHERE NOT EXISTS (SELECT 1 FROM {sql.MeasureRegistry} AS r WHERE r.cache_name = @cache AND r.measure = d.measure AND r.fingerprint = d.fingerprint)
        ORDER BY d.n
        """;
}

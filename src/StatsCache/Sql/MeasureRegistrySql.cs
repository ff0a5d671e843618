namespace StatsCache.Sql;

/// <summary>
/// The registry of built measures (<see cref="CacheSql.MeasureRegistry"/>): which host-declared measures this cache's
/// tables hold whole, by the fingerprint of their definition. Read at the start of every maintenance operation, under the
/// maintenance lock, to forget measures no longer declared (or changed) and to build the new ones.
/// </summary>
internal static class MeasureRegistrySql
{
    /// <summary>The cache's registered measures and their fingerprints: one short scan of the registry's key.</summary>
    public static string Registered(CacheSql sql) =>
        $"SELECT r.measure, r.fingerprint FROM {sql.MeasureRegistry} AS r WHERE r.cache_name = @cache";

    /// <summary>
    /// Every row of the measures named in @measures (text[]) — buckets, totals, session rows — and their registrations.
    /// Four statements, run in order in one transaction: a measure is forgotten whole or not at all. Our measure tables hold
    /// one cache's rows (the cache-sharing guard refuses a second), so the measure's name identifies its rows.
    /// </summary>
    public static IReadOnlyList<string> Forget(CacheSql sql) =>
    [
        $"DELETE FROM {sql.MeasureBuckets} AS b WHERE b.measure = ANY(@measures::text[])",
        $"DELETE FROM {sql.MeasureTotals} AS t WHERE t.measure = ANY(@measures::text[])",
        $"DELETE FROM {sql.SessionMeasures} AS s WHERE s.measure = ANY(@measures::text[])",
        $"DELETE FROM {sql.MeasureRegistry} AS r WHERE r.cache_name = @cache AND r.measure = ANY(@measures::text[])",
    ];

    /// <summary>
    /// A cache that declares no measure any more forgets every measure it had registered, or a measure declared again later
    /// would be served from rows that missed everything in between. One DO block, so a host whose model has no measure
    /// tables (they are optional) pays one cheap probe: PL/pgSQL plans the DELETEs only when the registry exists and holds
    /// a row of this cache — and readable by this role: a host that never declared a measure need not grant anything on the
    /// measures' tables (one that did had to, to maintain them). DO takes no parameters: the cache name is a validated plain identifier, written as a literal.
    /// </summary>
    public static string ForgetAll(CacheSql sql, string cacheName) => $"""
        DO $statscache_forget_measures$
        BEGIN
            IF to_regclass('{sql.MeasureRegistry}') IS NOT NULL AND has_table_privilege(to_regclass('{sql.MeasureRegistry}'), 'SELECT') THEN
                IF EXISTS (SELECT 1 FROM {sql.MeasureRegistry} AS r WHERE r.cache_name = '{cacheName}') THEN
                    DELETE FROM {sql.MeasureBuckets};
                    DELETE FROM {sql.MeasureTotals};
                    DELETE FROM {sql.SessionMeasures};
                    DELETE FROM {sql.MeasureRegistry} AS r WHERE r.cache_name = '{cacheName}';
                END IF;
            END IF;
        END
        $statscache_forget_measures$
        """;

    /// <summary>
    /// Registers the measures @measures with the fingerprints @fingerprints (parallel text arrays) as built at @now: in the
    /// transaction that built them (or that finished the full backfill or first build which did), so readers switch from
    /// live to our rows exactly when the rows are whole.
    /// </summary>
    public static string Register(CacheSql sql) => $"""
        INSERT INTO {sql.MeasureRegistry} AS r (cache_name, measure, fingerprint, built_at)
        SELECT @cache, u.measure, u.fingerprint, @now
        FROM unnest(@measures::text[], @fingerprints::text[]) AS u(measure, fingerprint)
        ON CONFLICT (cache_name, measure) DO UPDATE SET fingerprint = excluded.fingerprint, built_at = excluded.built_at
        """;
}

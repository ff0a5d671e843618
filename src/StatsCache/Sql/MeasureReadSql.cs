namespace StatsCache.Sql;

/// <summary>
/// Batch reads of the host-declared measures (<see cref="CacheSql.Measures"/>): one statement per read, sent in the same
/// batch as the built-in statement (one round trip), returning a row (id, measure, value) per id and measure with
/// something recorded; the reader fills zeros for the rest. Never sent for a cache without measures.
/// </summary>
/// <remarks>
/// Each measure is served from our tables only when it is <see cref="Served">served</see>: the built-in read's gate
/// holds (the cache is built and the team has rows) and the registry holds the measure with its current fingerprint.
/// Otherwise that measure is read live from its source, in the same statement — so the statement needs no second round
/// trip when the built-in read falls back to live, and a measure added (or redefined) since the last maintenance call
/// reads exact numbers until it is built. The choice is made by uncorrelated sub-queries, which PostgreSQL evaluates
/// once (InitPlans) and uses as one-time filters: the branch not taken is planned but never runs.
/// </remarks>
internal static class MeasureReadSql
{
    /// <summary>
    /// Whether the registry holds <paramref name="measure"/> with its current fingerprint for the cache (@cache): its
    /// rows in our tables are then whole. A measure not registered, or registered with another definition, is not.
    /// </summary>
    public static string Registered(CacheSql sql, HostMeasure measure) =>
        $"((SELECT r.fingerprint FROM {sql.MeasureRegistry} AS r WHERE r.cache_name = @cache AND r.measure = {measure.Literal}) = '{measure.Fingerprint}') IS TRUE";

    /// <summary>The measure is served from our tables: the built-in read's <paramref name="gate"/> and <see cref="Registered"/>.</summary>
    public static string Served(CacheSql sql, string gate, HostMeasure measure) => $"({gate} AND {Registered(sql, measure)})";

    /// <summary>The watermark (@cache) as a scalar sub-query: the point a real-time tail starts at for a served measure.</summary>
    public static string Watermark(CacheSql sql) =>
        $"(SELECT st.watermark FROM {sql.State} AS st WHERE st.cache_name = @cache)";

    /// <summary>
    /// Experiments (@team, @ids): per measure, the totals row (<see cref="CacheSql.MeasureTotals"/>, by its primary key)
    /// when served; and the source's rows — none when cached and served, those at or after the watermark when real-time
    /// and served, all of them when live or not served — through the source's (team, experiment, created_at) columns.
    /// Gated like the built-in totals (<see cref="ReadSql.Gate"/> of <see cref="CacheSql.Totals"/>).
    /// </summary>
    public static string ExperimentTotals(CacheSql sql, ReadMode mode) =>
        Totals(sql, mode, ReadSql.Gate(sql, sql.Totals), sql.MeasureTotals, "experiment_id");

    /// <summary>
    /// Sessions (@team, @ids): per measure, the session row (<see cref="CacheSql.SessionMeasures"/>, by its primary key)
    /// when served, plus the source's rows of the session as for experiments, through the source's (team, session,
    /// created_at) columns. Gated like the built-in session totals (<see cref="ReadSql.Built"/> of <see cref="CacheSql.SessionStatistics"/>).
    /// </summary>
    public static string SessionTotals(CacheSql sql, ReadMode mode) =>
        Totals(sql, mode, ReadSql.Built(sql, sql.SessionStatistics), sql.SessionMeasures, "session_id");

    private static string Totals(CacheSql sql, ReadMode mode, string gate, string table, string key)
    {
        var parts = sql.Measures.Select(m => mode switch
        {
            ReadMode.Live => Source(m, key, ""),
            ReadMode.Cached => $"""
                {Cached(m, table, key, Served(sql, gate, m))}
                UNION ALL
                {Source(m, key, $" AND NOT {Served(sql, gate, m)}")}
                """,
            _ => $"""
                {Cached(m, table, key, Served(sql, gate, m))}
                UNION ALL
                {Source(m, key, $" AND s.created_at >= (CASE WHEN {Served(sql, gate, m)} THEN {Watermark(sql)} ELSE '-infinity'::timestamptz END)")}
                """,
        });
        return $"""
            SELECT v.id, v.measure, sum(v.value)::bigint
            FROM (
            {string.Join("\nUNION ALL\n", parts)}
            ) AS v
            GROUP BY v.id, v.measure
            """;
    }

    private static string Cached(HostMeasure measure, string table, string key, string served) => $"""
        SELECT t.{key} AS id, {measure.Literal}::text AS measure, t.value
        FROM {table} AS t
        WHERE {served} AND t.team_id = @team AND t.{key} = ANY(@ids) AND t.measure = {measure.Literal}
        """;

    private static string Source(HostMeasure measure, string key, string filter) => $"""
        SELECT s.{key} AS id, {measure.Literal}::text AS measure, {measure.Aggregated("s")} AS value
        FROM {measure.Source} AS s
        WHERE s.team_id = @team AND s.{key} = ANY(@ids){filter}
        GROUP BY s.{key}
        """;
}

namespace StatsCache.Sql;

/// <summary>
/// Trend series of the host-declared measures (<see cref="CacheSql.Measures"/>): one statement per series read, sent in
/// the same batch as the built-in series statement (one round trip), returning the points (start, size) with something
/// recorded and a row per measure; the reader merges them into the built-in points. Never sent for a cache without measures.
/// </summary>
internal static class MeasureSeriesSql
{
    /// <summary>
    /// Experiments (@team, @ids, [@from, @to)): rows (experiment, point start, point size, measure, value). A measure
    /// <see cref="MeasureReadSql.Served">served</see> under the buckets' gate (<see cref="ReadSql.Built"/>) is read from
    /// its buckets (<see cref="CacheSql.MeasureBuckets"/>) exactly as <see cref="SeriesSql.ExperimentSeries"/> reads
    /// the built-in ones — finer buckets summed into periods of <paramref name="granularity"/>, coarser ones as they are.
    /// Any other measure is read live from its source, in whole points overlapping the request: at the requested
    /// granularity while the cache is not built (as <see cref="LiveSeriesSql"/> draws the built-in points then), and
    /// once it is built at the sizes the cached points have there (the state row's <c>daily_from</c> /
    /// <c>hourly_from</c>: months before the first, days before the second), so its points coincide with the
    /// built-in ones. The 32-day margins bound the source scan to the months a point overlapping the request can span.
    /// </summary>
    public static string ExperimentSeries(CacheSql sql, BucketSize granularity)
    {
        var built = ReadSql.Built(sql, sql.Buckets);
        var g = (short)granularity;
        var cutoff = $$"""(CASE WHEN s.created_at < (SELECT st.daily_from FROM {{sql.State}} AS st WHERE st.cache_name = @cache) THEN 3 WHEN s.created_at < (SELECT st.hourly_from FROM {{sql.State}} AS st WHERE st.cache_name = @cache) THEN 2 ELSE 1 END)""";
        var parts = sql.Measures.Select(m => $"""
            SELECT b.experiment_id,
                   CASE WHEN b.bucket_size >= {g} THEN b.bucket_start
                        ELSE date_trunc('{BucketCalendar.SqlUnit(granularity)}', b.bucket_start, {sql.ZoneFor(granularity)}) END AS point_start,
                   GREATEST(b.bucket_size, {g}::smallint) AS point_size,
                   {m.Literal}::text AS measure, sum(b.value)::bigint AS value
            FROM {sql.MeasureBuckets} AS b
            WHERE {MeasureReadSql.Served(sql, built, m)} AND b.team_id = @team AND b.experiment_id = ANY(@ids) AND b.measure = {m.Literal}
              AND b.bucket_start < @to AND b.bucket_start > @from - interval '32 days' AND {sql.BucketEnd("b")} > @from
            GROUP BY 1, 2, 3
            UNION ALL
            SELECT p.experiment_id, p.bucket_start, p.bucket_size, {m.Literal}::text, sum(p.value)::bigint
            FROM (
                SELECT s.experiment_id, {m.Value("s")} AS value, k.size AS bucket_size,
                       CASE WHEN k.size = 1 THEN date_trunc('hour', s.created_at, 'UTC')
                            WHEN k.size = 2 THEN date_trunc('day', s.created_at, {sql.TimeZone.SqlLiteral})
                            ELSE date_trunc('month', s.created_at, {sql.TimeZone.SqlLiteral}) END AS bucket_start
                FROM {m.Source} AS s
                CROSS JOIN LATERAL (SELECT GREATEST({g}, CASE WHEN {built} THEN {cutoff} ELSE {g} END)::smallint AS size) AS k
                WHERE NOT {MeasureReadSql.Served(sql, built, m)} AND s.team_id = @team AND s.experiment_id = ANY(@ids)
                  AND s.created_at > @from - interval '32 days' AND s.created_at < @to + interval '32 days'
            ) AS p
            WHERE p.bucket_start < @to AND {sql.BucketEnd("p")} > @from
            GROUP BY 1, 2, 3
            """);
        return $"""
            {string.Join("\nUNION ALL\n", parts)}
            ORDER BY 1, 2, 4
            """;
    }

    /// <summary>
    /// One session's measures per period of <paramref name="granularity"/> (@team, @session, [@from, @to)): rows
    /// (point start, measure, value), live from each measure's source through its (team, session, created_at) columns,
    /// as <see cref="SeriesSql.SessionSeries"/> reads the session's human messages.
    /// </summary>
    public static string SessionSeries(CacheSql sql, BucketSize granularity)
    {
        var parts = sql.Measures.Select(m => $"""
            SELECT date_trunc('{BucketCalendar.SqlUnit(granularity)}', s.created_at, {sql.ZoneFor(granularity)}) AS point_start, {m.Literal}::text AS measure, {m.Aggregated("s")} AS value
            FROM {m.Source} AS s
            WHERE s.session_id = @session AND s.team_id = @team AND s.created_at >= @from AND s.created_at < @to
            GROUP BY 1
            """);
        return $"""
            {string.Join("\nUNION ALL\n", parts)}
            ORDER BY 1, 2
            """;
    }
}

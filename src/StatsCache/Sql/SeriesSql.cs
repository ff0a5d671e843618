namespace StatsCache.Sql;

/// <summary>Trend series statements.</summary>
internal static class SeriesSql
{
    /// <summary>
    /// Buckets of the experiments overlapping [@from, @to), summed into periods of
    /// <paramref name="granularity"/> where they are finer, and returned as they are where they are
    /// coarser (a month stays a month: its days are not known). The 32-day lower bound lets the
    /// primary key range-scan; the end test keeps only buckets that really overlap the range.
    /// </summary>
    public static string ExperimentSeries(CacheSql sql, BucketSize granularity) => $"""
        SELECT b.experiment_id,
               CASE WHEN b.bucket_size >= {(short)granularity} THEN b.bucket_start
                    ELSE date_trunc('{BucketCalendar.SqlUnit(granularity)}', b.bucket_start, {sql.ZoneFor(granularity)}) END AS point_start,
               GREATEST(b.bucket_size, {(short)granularity}::smallint) AS point_size,
               sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint, sum(b.human_message_count)::bigint, max(b.last_activity)
        FROM {sql.Buckets} AS b
        WHERE b.team_id = @team AND b.experiment_id = ANY(@ids)
          AND b.bucket_start < @to AND b.bucket_start > @from - interval '32 days' AND {sql.BucketEnd("b")} > @from
        GROUP BY 1, 2, 3
        ORDER BY 1, 2
        """;

    /// <summary>One session's human messages per period, live from the host's (session_id, created_at) index.</summary>
    public static string SessionSeries(CacheSql sql, BucketSize granularity) => $"""
        SELECT date_trunc('{BucketCalendar.SqlUnit(granularity)}', m.created_at, {sql.ZoneFor(granularity)}), count(*), max(m.created_at)
        FROM {sql.HumanMessages} AS m
        WHERE m.session_id = @session AND m.team_id = @team AND m.created_at >= @from AND m.created_at < @to
        GROUP BY 1
        ORDER BY 1
        """;
}

namespace StatsCache.Sql;

/// <summary>
/// The verify comparison: per stored bucket range, the source's counts (index range scans on the
/// host's created_at indexes, one per range, so the whole verify reads each index entry once) against
/// the sums of our buckets of that range. Never a recount per experiment or session.
/// </summary>
internal static class VerifySql
{
    /// <summary>
    /// One row per range of (@starts[i], @ends[i]), in order: source sessions, human messages and their
    /// max, then the buckets' sums. The buckets are read once, by the (size, start) index, and grouped by
    /// start before being matched to the ranges, so a range join only ever meets a few hundred rows.
    /// </summary>
    public static string Compare(CacheSql sql) => $"""
        WITH r AS (
            SELECT * FROM unnest(@starts::timestamptz[], @ends::timestamptz[]) WITH ORDINALITY AS r(range_start, range_end, n)
        ), starts AS (
            SELECT b.bucket_start, sum(b.session_count) AS sessions, sum(b.human_message_count) AS messages, max(b.last_activity) AS last_activity
            FROM {sql.Buckets} AS b
            WHERE b.bucket_size = ANY(ARRAY[1, 2, 3]::smallint[]) AND b.bucket_start >= @from AND b.bucket_start < @to
            GROUP BY b.bucket_start
        ), cached AS (
            SELECT r.n, sum(st.sessions) AS sessions, sum(st.messages) AS messages, max(st.last_activity) AS last_activity
            FROM starts AS st JOIN r ON st.bucket_start >= r.range_start AND st.bucket_start < r.range_end
            GROUP BY r.n
        )
        SELECT r.n, ss.sessions, sm.messages, sm.last_activity,
               coalesce(c.sessions, 0)::bigint, coalesce(c.messages, 0)::bigint, c.last_activity
        FROM r
        CROSS JOIN LATERAL (
            SELECT count(*) AS sessions FROM {sql.Sessions} AS s WHERE s.created_at >= r.range_start AND s.created_at < r.range_end
        ) AS ss
        CROSS JOIN LATERAL (
            SELECT count(*) AS messages, max(m.created_at) AS last_activity
            FROM {sql.HumanMessages} AS m WHERE m.created_at >= r.range_start AND m.created_at < r.range_end
        ) AS sm
        LEFT JOIN cached AS c ON c.n = r.n
        ORDER BY r.n
        """;

    /// <summary>The earliest stored bucket (where a verify of everything starts if the source begins later, e.g. after a purge).</summary>
    public static string EarliestBucket(CacheSql sql) => $"SELECT min(bucket_start) FROM {sql.Buckets}";
}

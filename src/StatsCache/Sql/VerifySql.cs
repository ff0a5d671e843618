namespace StatsCache.Sql;

/// <summary>
/// The verify comparison: per stored bucket range, the source's counts against the sums of our
/// buckets of that range. One pass over each source, never a recount per experiment or session.
/// </summary>
internal static class VerifySql
{
    /// <summary>
    /// One row per range, in order, for contiguous ranges starting at @starts (the last one ending at
    /// @to): source sessions, human messages and their max, then the buckets' sums. Each row is put in
    /// its range by <c>width_bucket</c> (a binary search over the starts), so each source is read once,
    /// filtered by created_at in [@from, @to): PostgreSQL picks an index range scan on the host's
    /// created_at index for a short range (the last day) and one sequential pass for everything.
    /// </summary>
    public static string Compare(CacheSql sql) => $"""
        WITH source_sessions AS (
            SELECT width_bucket(s.created_at, @starts::timestamptz[]) AS n, count(*) AS sessions
            FROM {sql.Sessions} AS s
            WHERE s.created_at >= @from AND s.created_at < @to
            GROUP BY 1
        ), source_messages AS (
            SELECT width_bucket(m.created_at, @starts::timestamptz[]) AS n, count(*) AS messages, max(m.created_at) AS last_activity
            FROM {sql.HumanMessages} AS m
            WHERE m.created_at >= @from AND m.created_at < @to
            GROUP BY 1
        ), cached AS (
            SELECT width_bucket(b.bucket_start, @starts::timestamptz[]) AS n,
                   sum(b.session_count) AS sessions, sum(b.human_message_count) AS messages, max(b.last_activity) AS last_activity
            FROM {sql.Buckets} AS b
            WHERE b.bucket_size = ANY(ARRAY[1, 2, 3]::smallint[]) AND b.bucket_start >= @from AND b.bucket_start < @to
            GROUP BY 1
        )
        SELECT r.n, coalesce(ss.sessions, 0)::bigint, coalesce(sm.messages, 0)::bigint, sm.last_activity,
               coalesce(c.sessions, 0)::bigint, coalesce(c.messages, 0)::bigint, c.last_activity
        FROM generate_series(1, cardinality(@starts::timestamptz[])) AS r(n)
        LEFT JOIN source_sessions AS ss ON ss.n = r.n
        LEFT JOIN source_messages AS sm ON sm.n = r.n
        LEFT JOIN cached AS c ON c.n = r.n
        ORDER BY r.n
        """;

    /// <summary>The earliest stored bucket (where a verify of everything starts if the source begins later, e.g. after a purge).</summary>
    public static string EarliestBucket(CacheSql sql) => $"SELECT min(bucket_start) FROM {sql.Buckets}";
}

namespace StatsCache.Sql;

/// <summary>
/// The verify comparison: per stored bucket range, the source's counts against the sums of our
/// buckets of that range. Never a recount per experiment or session.
/// </summary>
internal static class VerifySql
{
    /// <summary>
    /// One row per range, in order, for contiguous ranges starting at @starts (the last one ending at
    /// @to): source sessions, human messages and their max, then the buckets' sums. The source side is
    /// one index range scan per range on the host's created_at indexes (sessions index-only), so a
    /// verify of everything reads each index entry once and a verify of the last day reads only its
    /// rows. (Grouping the source by width_bucket instead was slower: PostgreSQL cannot estimate its
    /// groups and sorts every row.) Our buckets are read once and put in their range by width_bucket.
    /// The source is joined to the ranges (a nested loop over the few ranges, each an index range scan)
    /// rather than counted in a LATERAL sub-query per range: Citus cannot run a lateral sub-query over a
    /// distributed table that is not correlated on its distribution column, but it runs the join on
    /// every shard against the ranges and adds up one row per range and shard.
    /// </summary>
    public static string Compare(CacheSql sql) => $"""
        WITH r AS (
            SELECT u.range_start, coalesce(lead(u.range_start) OVER (ORDER BY u.n), @to) AS range_end, u.n
            FROM unnest(@starts::timestamptz[]) WITH ORDINALITY AS u(range_start, n)
        ), cached AS (
            SELECT width_bucket(b.bucket_start, @starts::timestamptz[]) AS n,
                   sum(b.session_count) AS sessions, sum(b.human_message_count) AS messages, max(b.last_activity) AS last_activity
            FROM {sql.Buckets} AS b
            WHERE b.bucket_size = ANY(ARRAY[1, 2, 3]::smallint[]) AND b.bucket_start >= @from AND b.bucket_start < @to
            GROUP BY 1
        ), source_sessions AS (
            SELECT r.n, count(*) AS sessions
            FROM r JOIN {sql.Sessions} AS s ON s.created_at >= r.range_start AND s.created_at < r.range_end
            GROUP BY r.n
        ), source_messages AS (
            SELECT r.n, count(*) AS messages, max(m.created_at) AS last_activity
            FROM r JOIN {sql.HumanMessages} AS m ON m.created_at >= r.range_start AND m.created_at < r.range_end
            GROUP BY r.n
        )
        SELECT r.n, coalesce(ss.sessions, 0)::bigint, coalesce(sm.messages, 0)::bigint, sm.last_activity,
               coalesce(c.sessions, 0)::bigint, coalesce(c.messages, 0)::bigint, c.last_activity
        FROM r
        LEFT JOIN source_sessions AS ss ON ss.n = r.n
        LEFT JOIN source_messages AS sm ON sm.n = r.n
        LEFT JOIN cached AS c ON c.n = r.n
        ORDER BY r.n
        """;

    /// <summary>The earliest stored bucket (where a verify of everything starts if the source begins later, e.g. after a purge).</summary>
    public static string EarliestBucket(CacheSql sql) => $"SELECT min(bucket_start) FROM {sql.Buckets}";
}

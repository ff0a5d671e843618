using System.Text.RegularExpressions;

namespace StatsCache.Sql;

/// <summary>The read statements: one round trip per page, always scoped to a team.</summary>
internal static partial class ReadSql
{
    public static string SessionTotals(CacheSql sql) => $"""
        SELECT s.session_id, s.human_message_count, s.last_activity, s.versions
        FROM {sql.SessionStatistics} AS s
        WHERE s.team_id = @team AND s.session_id = ANY(@ids)
        """;

    public static string ExperimentBuckets(CacheSql sql) => $"""
        SELECT b.bucket_size, b.bucket_start, b.session_count, b.new_participant_count, b.human_message_count, b.last_activity, b.updated_at
        FROM {sql.Buckets} AS b
        WHERE b.team_id = @team AND b.experiment_id = @experiment
        ORDER BY b.bucket_start
        """;

    public static string BucketCounts(CacheSql sql) =>
        $"SELECT bucket_size, count(*) FROM {sql.Buckets} GROUP BY bucket_size ORDER BY bucket_size";

    public static string RecentRuns(CacheSql sql) => $"""
        SELECT operation, started_at, duration_ms, rows_written, detail
        FROM {sql.Runs} WHERE cache_name = @cache
        ORDER BY started_at DESC, id DESC
        LIMIT @limit
        """;

    /// <summary>
    /// The cache is built — a full build has set the watermark — and <paramref name="table"/> holds
    /// rows of the team read (@team). Until then (first build running or interrupted, or a cache table
    /// emptied while the state row remains) cached numbers are partial, so the gated reads serve live
    /// ones instead; so does a team with no row yet, whose live numbers are the few rows it has. The
    /// probe is of the team's rows, not of the whole table, so that on Citus the read stays on the
    /// team's shard (a router query) instead of asking every shard.
    /// </summary>
    public static string Built(CacheSql sql, string table) =>
        $"(SELECT st.watermark IS NOT NULL FROM {sql.State} AS st WHERE st.cache_name = @cache) IS TRUE AND {CacheSql.HasRows(table + " AS g WHERE g.team_id = @team")}";

    /// <summary>
    /// The gate of a cached or real-time read of <paramref name="table"/>: <see cref="Built"/>; for the totals
    /// rows, which summarise the buckets, both the buckets and the team's totals rows must be there (a cache
    /// built before the totals table existed reads live until the next maintenance call fills it).
    /// </summary>
    public static string Gate(CacheSql sql, string table) => table == sql.Totals
        ? $"{Built(sql, sql.Buckets)} AND {CacheSql.HasRows(table + " AS g WHERE g.team_id = @team")}"
        : Built(sql, table);

    /// <summary>
    /// One statement that serves <paramref name="whenBuilt"/> once the cache is built and the live
    /// variant of <paramref name="tail"/> until then. The gate is an uncorrelated sub-query, so
    /// PostgreSQL evaluates it once and runs only one branch (a one-time filter): no extra round trip,
    /// and the branch not taken costs nothing.
    /// </summary>
    public static string UntilBuilt(CacheSql sql, string table, string whenBuilt, string tail) => $"""
        WITH gate AS MATERIALIZED (SELECT {Built(sql, table)} AS built)
        SELECT c.* FROM ({whenBuilt}) AS c WHERE (SELECT built FROM gate)
        UNION ALL
        SELECT l.* FROM ({Live(tail)}) AS l WHERE NOT (SELECT built FROM gate)
        """;

    /// <summary>
    /// Sent first in the batch of a gated read: the batch runs as one implicit transaction, so this holds
    /// for the read alone and never leaks into the pooled (possibly the host's) connection. The branch
    /// not taken is still planned, and its estimated cost (a live scan of the source) is far above
    /// <c>jit_above_cost</c>: with JIT on, PostgreSQL compiled the whole plan on every read (measured at
    /// the reference size: a page of 25 experiments 4 ms → 40 ms, nearly all of it JIT emission).
    /// </summary>
    public static Npgsql.NpgsqlBatchCommand WithoutJit() => new("SET LOCAL jit = off");

    /// <summary>A tail statement (<see cref="TailReadSql"/>) with @live fixed to true: the source alone, from the beginning of time.</summary>
    public static string Live(string tail) => LiveParameter().Replace(tail, "true");

    [GeneratedRegex(@"@live\b")]
    private static partial Regex LiveParameter();
}

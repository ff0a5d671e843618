namespace StatsCache.Sql;

/// <summary>The read statements: one round trip per page, always scoped to a team.</summary>
internal static class ReadSql
{
    /// <summary>Sums an experiment's buckets: a few dozen rows per experiment, found by the primary key.</summary>
    public static string ExperimentTotals(CacheSql sql) => $"""
        SELECT b.experiment_id,
               sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint,
               sum(b.human_message_count)::bigint, max(b.last_activity)
        FROM {sql.Buckets} AS b
        WHERE b.team_id = @team AND b.experiment_id = ANY(@ids)
        GROUP BY b.experiment_id
        """;

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
}

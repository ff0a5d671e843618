namespace StatsCache.Sql;

/// <summary>Statements on the cache's bookkeeping: state row, run history.</summary>
internal static class StateSql
{
    /// <summary>A new cache's state row records the reporting time zone it is about to be built in.</summary>
    public static string Ensure(CacheSql sql) =>
        $"INSERT INTO {sql.State} (cache_name, time_zone, updated_at) VALUES (@cache, @zone, @now) ON CONFLICT (cache_name) DO NOTHING";

    /// <summary>
    /// A cache with nothing built yet (no watermark, no backfill under way, empty tables) takes the
    /// configured zone, whatever its row says: there is nothing to mix. This also adopts rows written
    /// before the zone was recorded (time_zone null). A built cache keeps its zone.
    /// </summary>
    public static string AdoptZoneWhileEmpty(CacheSql sql) => $"""
        UPDATE {sql.State} SET time_zone = @zone, updated_at = @now
        WHERE cache_name = @cache AND time_zone IS DISTINCT FROM @zone
          AND watermark IS NULL AND backfill_to IS NULL
          AND NOT {CacheSql.HasRows(sql.Buckets)}
          AND NOT {CacheSql.HasRows(sql.SessionStatistics)}
          AND NOT {CacheSql.HasRows(sql.FirstSeen)}
        """;

    /// <summary>The state row; a null time zone (a row older than the option) means UTC, the only zone there was.</summary>
    public static string Read(CacheSql sql) => $"""
        SELECT watermark, daily_from, hourly_from, backfill_requested_from, backfill_experiments, backfill_to, backfill_done_until,
               coalesce(time_zone, 'UTC')
        FROM {sql.State} WHERE cache_name = @cache
        """;

    /// <summary>Watermark and cut-offs only move forward (GREATEST ignores nulls).</summary>
    public static string Advance(CacheSql sql) => $"""
        UPDATE {sql.State} SET
            watermark = GREATEST(watermark, @watermark),
            daily_from = GREATEST(daily_from, @daily_from),
            hourly_from = GREATEST(hourly_from, @hourly_from),
            updated_at = @now
        WHERE cache_name = @cache
        """;

    public static string StartBackfill(CacheSql sql) => $"""
        UPDATE {sql.State} SET
            backfill_requested_from = @requested_from, backfill_experiments = @experiments,
            backfill_to = @to, backfill_done_until = @done_until, updated_at = @now
        WHERE cache_name = @cache
        """;

    public static string BackfillProgress(CacheSql sql) =>
        $"UPDATE {sql.State} SET backfill_done_until = @done_until, updated_at = @now WHERE cache_name = @cache";

    public static string FinishBackfill(CacheSql sql) => $"""
        UPDATE {sql.State} SET
            backfill_requested_from = NULL, backfill_experiments = NULL, backfill_to = NULL, backfill_done_until = NULL, updated_at = @now
        WHERE cache_name = @cache
        """;

    /// <summary>Records a run and forgets runs older than 30 days, so the history stays small.</summary>
    public static string RecordRun(CacheSql sql) => $"""
        WITH forgotten AS (
            DELETE FROM {sql.Runs} WHERE cache_name = @cache AND started_at < @started_at - interval '30 days'
        )
        INSERT INTO {sql.Runs} (cache_name, operation, started_at, duration_ms, rows_written, detail)
        VALUES (@cache, @operation, @started_at, @duration_ms, @rows_written, @detail)
        """;

    /// <summary>Earliest source row of the range a backfill must cover (host indexes on created_at make it two index probes).</summary>
    public static string EarliestSourceRow(CacheSql sql, bool limited) => $"""
        SELECT least(
            (SELECT min(s.created_at) FROM {sql.Sessions} AS s WHERE true{CacheSql.ExperimentFilter("s", limited)}),
            (SELECT min(m.created_at) FROM {sql.HumanMessages} AS m WHERE true{CacheSql.ExperimentFilter("m", limited)}){StoredToo(sql, limited)})
        """;

    /// <summary>
    /// Mirroring deletions, a full rebuild must also cover what we store: a range whose source rows
    /// were all deleted has no source row left to start from, and its buckets must still go.
    /// </summary>
    private static string StoredToo(CacheSql sql, bool limited) => !sql.MirrorDeletions
        ? ""
        : $",\n    (SELECT min(b.bucket_start) FROM {sql.Buckets} AS b WHERE true{CacheSql.ExperimentFilter("b", limited)})";
}

using Microsoft.Extensions.Logging;

namespace StatsCache.Internal;

/// <summary>
/// Source-generated log messages with stable event ids. Routine work (a refresh, a backfill chunk, a compression with
/// nothing to roll up, a skipped run) logs at Debug; builds, completed backfills, reconciles and verifies at Information;
/// problems at Warning and Error.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "StatsCache refresh of [{From:O}, {To:O}) wrote {Rows} rows in {ElapsedMs:F1} ms")]
    public static partial void Refreshed(ILogger logger, DateTime from, DateTime to, long rows, double elapsedMs);

    [LoggerMessage(2, LogLevel.Debug, "StatsCache {Operation} skipped: another instance holds the maintenance lock")]
    public static partial void Skipped(ILogger logger, string operation);

    /// <summary>A compression: Information when it rolled buckets up, Debug when there was nothing to roll (the routine case).</summary>
    public static void Compressed(ILogger logger, long buckets, DateTime dailyFrom, DateTime hourlyFrom, double elapsedMs) =>
        Compressed(logger, buckets > 0 ? LogLevel.Information : LogLevel.Debug, buckets, dailyFrom, hourlyFrom, elapsedMs);

    [LoggerMessage(EventId = 3, Message = "StatsCache compression wrote {Buckets} buckets; monthly before {DailyFrom:O}, daily before {HourlyFrom:O}; {ElapsedMs:F1} ms")]
    private static partial void Compressed(ILogger logger, LogLevel level, long buckets, DateTime dailyFrom, DateTime hourlyFrom, double elapsedMs);

    [LoggerMessage(4, LogLevel.Debug, "StatsCache backfill chunk [{From:O}, {To:O}) as {Size} buckets: {Rows} rows ({Done}/{Total})")]
    public static partial void BackfillChunk(ILogger logger, DateTime from, DateTime to, BucketSize size, long rows, int done, int total);

    [LoggerMessage(5, LogLevel.Information, "StatsCache backfill of [{From:O}, {To:O}) done: {Chunks} chunks, {Rows} rows in {ElapsedMs:F1} ms (resumed: {Resumed})")]
    public static partial void Backfilled(ILogger logger, DateTime? from, DateTime to, int chunks, long rows, double elapsedMs, bool resumed);

    [LoggerMessage(6, LogLevel.Information, "StatsCache has never been built: this refresh runs the full backfill")]
    public static partial void Initializing(ILogger logger);

    [LoggerMessage(7, LogLevel.Information, "StatsCache reconcile of [{From:O}, {To:O}) done: {Chunks} chunks, {Changed} experiments changed, {Rows} rows in {ElapsedMs:F1} ms")]
    public static partial void Reconciled(ILogger logger, DateTime from, DateTime to, int chunks, int changed, long rows, double elapsedMs);

    [LoggerMessage(8, LogLevel.Warning, "StatsCache could not vacuum its tables after a backfill ({Reason}); autovacuum will, and reads are slower until then")]
    public static partial void VacuumFailed(ILogger logger, string reason);
    [LoggerMessage(140, LogLevel.Information, "StatsCache refresh of [{From:O}, {To:O}) holds more than {MaxRows} rows: catching up in {Steps} steps, each moving the watermark")]
    public static partial void RefreshInSteps(ILogger logger, DateTime from, DateTime to, int steps, long maxRows);

    [LoggerMessage(141, LogLevel.Warning, "StatsCache: this instance's clock ({Local:O}) is ahead of the database's ({Database:O}); maintenance uses the database's, so the watermark never runs ahead of it")]
    public static partial void ClockAhead(ILogger logger, DateTime local, DateTime database);



    [LoggerMessage(101, LogLevel.Information, "StatsCache change tracking of cache {CacheName} installed on {Tables}")]
    public static partial void ChangeTrackingInstalled(ILogger logger, string cacheName, string tables);

    [LoggerMessage(102, LogLevel.Information, "StatsCache change tracking of cache {CacheName} removed")]
    public static partial void ChangeTrackingRemoved(ILogger logger, string cacheName);


    [LoggerMessage(160, LogLevel.Information, "StatsCache verify of [{From:O}, {To:O}): {Ranges} ranges agree with the source ({Repaired} repaired, {Purged} purged with history kept) in {ElapsedMs:F1} ms")]
    public static partial void Verified(ILogger logger, DateTime from, DateTime to, int ranges, int repaired, int purged, double elapsedMs);

    [LoggerMessage(161, LogLevel.Warning, "StatsCache verify left {Ranges} ranges differing from the source: {Detail}")]
    public static partial void VerifyFoundDrift(ILogger logger, int ranges, string detail);

    [LoggerMessage(162, LogLevel.Error, "StatsCache {Operation} failed: {Error}")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception, string operation, string error);

    [LoggerMessage(163, LogLevel.Warning, "StatsCache could not record the failed {Operation} in its run history: {Reason}")]
    public static partial void FailedRunNotRecorded(ILogger logger, string operation, string reason);

    [LoggerMessage(240, LogLevel.Information, "StatsCache tables of cache {CacheName} exist in schema {Schema} (created where missing)")]
    public static partial void TablesEnsured(ILogger logger, string cacheName, string schema);
}

using System.Data;
using Microsoft.Extensions.Logging;
using StatsCache.ChangeTracking;
using StatsCache.Internal;
using StatsCache.Policy;

namespace StatsCache.Maintenance;

/// <summary>
/// Incremental refresh: re-reads [watermark − look-back, now) into hourly buckets and moves the
/// watermark to now, in one repeatable-read transaction (so every statement sees the same source
/// snapshot). Its cost follows the rows of that range, not the size of the source.
/// </summary>
internal sealed class Refresher(CacheEnvironment env, TimeProvider time, Backfiller backfiller, ChangeProcessor changes, StatisticsCacheMetrics metrics, ILogger<Refresher> logger)
{
    public const string Operation = "refresh";

    public async Task<RefreshResult> RefreshAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow().UtcDateTime;
        var sql = env.Sql;
        await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var maintenanceLock = await MaintenanceLock.TryAcquireAsync(connection, env.LockKey, cancellationToken).ConfigureAwait(false);
        if (maintenanceLock is null)
        {
            metrics.Skipped(Operation);
            Log.Skipped(logger, Operation);
            return new RefreshResult(Skipped: true, Initialized: false, From: null, To: now, RowsWritten: 0, Duration: time.GetElapsedTime(started));
        }

        if (env.Options.ChangeTracking)
        {
            // A broken trigger records nothing (the host's writes must not fail): refuse before moving the watermark.
            await changes.VerifyAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        var state = await StateStore.LoadAsync(connection, sql, env.Options.CacheName, now, cancellationToken).ConfigureAwait(false);
        long backfilled = 0;
        var resumedBackfill = false;
        if (state.Watermark is null || (state.BackfillTo is not null && state.BackfillExperiments is null))
        {
            // Never built (or a full build was interrupted): build it, chunk by chunk.
            Log.Initializing(logger);
            var backfill = await backfiller.RunLockedAsync(connection, state, new BackfillRequest(), progress: null, cancellationToken).ConfigureAwait(false);
            if (!backfill.Resumed)
            {
                return new RefreshResult(false, Initialized: true, backfill.From, backfill.To, backfill.RowsWritten, time.GetElapsedTime(started));
            }

            // A resumed backfill ends where it was planned to end, not now: refresh the rest as usual.
            (backfilled, resumedBackfill) = (backfill.RowsWritten, true);
            state = await StateStore.LoadAsync(connection, sql, env.Options.CacheName, now, cancellationToken).ConfigureAwait(false);
        }

        var watermark = state.Watermark ?? throw new InvalidOperationException("StatsCache: a full backfill finished without setting the watermark.");
        metrics.WatermarkLag(now - watermark);
        var from = BucketCalendar.Floor(watermark - env.Options.LookBack, BucketSize.Hour);
        if (state.HourlyFrom is { } hourlyFrom && hourlyFrom > from)
        {
            from = hourlyFrom; // never rewrite what compression has rolled up
        }

        long rows = 0;
        await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false))
        {
            if (from < now)
            {
                rows = await RangeRecompute.RunAsync(connection, transaction, sql, new BackfillChunk(from, now, BucketSize.Hour), experiments: null, now, sessionsUntil: now, cancellationToken).ConfigureAwait(false);
            }

            if (env.Options.ChangeTracking)
            {
                await changes.ForgetCoveredAsync(connection, transaction, from, cancellationToken).ConfigureAwait(false);
            }

            var elapsed = time.GetElapsedTime(started);
            await StateStore.ExecuteAsync(
                connection,
                transaction,
                cancellationToken,
                StateStore.Advance(sql, env.Options.CacheName, now, null, null, now),
                StateStore.RecordRun(sql, env.Options.CacheName, Operation, now, elapsed, rows, $"[{from:O}, {now:O})")).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (env.Options.ChangeTracking)
        {
            // Changes to rows older than the window, recorded by the triggers: recomputed now, under the same lock.
            await changes.ApplyAsync(connection, state.DailyFrom, state.HourlyFrom, now, now, started, cancellationToken).ConfigureAwait(false);
        }

        var duration = time.GetElapsedTime(started);
        metrics.Completed(Operation, duration, rows);
        Log.Refreshed(logger, from, now, rows, duration.TotalMilliseconds);
        return new RefreshResult(false, Initialized: resumedBackfill, from, now, backfilled + rows, duration);
    }
}

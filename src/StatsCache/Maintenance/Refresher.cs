using System.Data;
using Microsoft.Extensions.Logging;
using StatsCache.ChangeTracking;
using StatsCache.Internal;
using StatsCache.Policy;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>
/// Incremental refresh: re-reads [watermark − look-back, now) into hourly buckets and moves the
/// watermark to now, in one repeatable-read transaction (so every statement sees the same source
/// snapshot). Its cost follows the rows of that range, not the size of the source. "Now" is the
/// earlier of this instance's clock and the database's (<see cref="MaintenanceClock"/>); a window
/// holding more than <see cref="StatisticsCacheOptions.MaxRowsPerChunk"/> rows (a catch-up after an
/// outage) is refreshed in steps of whole hours, each moving the watermark in its own transaction.
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
            return new RefreshResult { Skipped = true, Initialized = false, From = null, To = now, RowsWritten = 0, Duration = time.GetElapsedTime(started) };
        }

        var timeout = CommandTimeouts.Seconds(env.Options);
        now = await MaintenanceClock.NowAsync(connection, time, timeout, logger, cancellationToken).ConfigureAwait(false);
        if (env.Options.ChangeTracking)
        {
            // A broken trigger records nothing (the host's writes must not fail): refuse before moving the watermark.
            await changes.VerifyAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        var state = await MaintenanceState.LoadAsync(connection, sql, env.Options.CacheName, now, timeout, cancellationToken).ConfigureAwait(false);
        await MeasureRegistry.SyncAsync(connection, sql, env.Options.CacheName, state, now, timeout, logger, cancellationToken).ConfigureAwait(false);
        long backfilled = 0;
        var resumedBackfill = false;
        if (state.Watermark is null || (state.BackfillTo is not null && state.BackfillExperiments is null))
        {
            // Never built (or a full build was interrupted): build it, chunk by chunk.
            Log.Initializing(logger);
            var backfill = await backfiller.RunLockedAsync(connection, state, new BackfillRequest(), progress: null, cancellationToken).ConfigureAwait(false);
            if (!backfill.Resumed)
            {
                return new RefreshResult { Skipped = false, Initialized = true, From = backfill.From, To = backfill.To, RowsWritten = backfill.RowsWritten, Duration = time.GetElapsedTime(started) };
            }

            // A resumed backfill ends where it was planned to end, not now: refresh the rest as usual.
            (backfilled, resumedBackfill) = (backfill.RowsWritten, true);
            state = await MaintenanceState.LoadAsync(connection, sql, env.Options.CacheName, now, timeout, cancellationToken).ConfigureAwait(false);
        }

        var watermark = state.Watermark ?? throw new InvalidOperationException("StatsCache: a full backfill finished without setting the watermark.");
        var from = BucketCalendar.Floor(watermark - env.Options.LookBack, BucketSize.Hour);
        if (state.HourlyFrom is { } hourlyFrom && hourlyFrom > from)
        {
            from = hourlyFrom; // never rewrite what compression has rolled up
        }

        // An instance whose clock lags the watermark still re-reads up to the watermark: a window
        // ending at its own "now" would recount the watermark's hour from part of it and, mirroring,
        // drop from session rows what real-time reads no longer add.
        var to = now > watermark ? now : watermark;

        // After a long outage the window is large: catch up in steps of whole hours under
        // MaxRowsPerChunk, each its own transaction that moves the watermark to its end.
        var volume = await VolumeReader.ReadAsync(connection, sql, from, to, experiments: null, env.Options, cancellationToken).ConfigureAwait(false);
        var steps = from < to ? BackfillPlan.Chunks(from, to, AllHourly, zone: null, volume, splitBucketsUntil: null) : [];
        if (steps.Count > 1)
        {
            Log.RefreshInSteps(logger, from, to, steps.Count, env.Options.MaxRowsPerChunk);
        }

        long rows = 0;
        for (var i = 0; i < Math.Max(steps.Count, 1); i++)
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            var stepTo = to;
            if (steps.Count > 0)
            {
                var step = steps[i];
                stepTo = step.To;
                // The totals follow by differences (counts only grow): the cost of the window, not of each experiment's history.
                rows += await RangeRecompute.RunAsync(connection, transaction, sql, step, experiments: null, now, sessionsUntil: stepTo > watermark ? stepTo : watermark, timeout, cancellationToken, totalsByDelta: true).ConfigureAwait(false);
            }

            if (i == 0 && env.Options.ChangeTracking)
            {
                // The first step's snapshot sees every change recorded so far; the steps recompute them from
                // `from` on (a later step's snapshot is newer), so the changes need not be applied again.
                await changes.ForgetCoveredAsync(connection, transaction, from, cancellationToken).ConfigureAwait(false);
            }

            var commands = new List<Npgsql.NpgsqlBatchCommand> { StateStore.Advance(sql, env.Options.CacheName, stepTo, null, null, now) };
            if (i == Math.Max(steps.Count, 1) - 1)
            {
                commands.Add(StateStore.RecordRun(sql, env.Options.CacheName, Operation, now, time.GetElapsedTime(started), rows, $"[{from:O}, {to:O}){(steps.Count > 1 ? $" in {steps.Count} steps" : "")}"));
            }

            await StateStore.ExecuteAsync(connection, transaction, timeout, cancellationToken, [.. commands]).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (env.Options.ChangeTracking)
        {
            // Changes to rows older than the window, recorded by the triggers: recomputed now, under the same lock.
            await changes.ApplyAsync(connection, state.DailyFrom, state.HourlyFrom, to, now, started, cancellationToken).ConfigureAwait(false);
        }

        var duration = time.GetElapsedTime(started);
        metrics.Completed(Operation, duration, rows);
        Log.Refreshed(logger, from, to, rows, duration.TotalMilliseconds);
        return new RefreshResult { Skipped = false, Initialized = resumedBackfill, From = from, To = to, RowsWritten = backfilled + rows, Duration = duration };
    }

    /// <summary>A refresh window is hourly buckets throughout.</summary>
    private static readonly RetentionCutoffs AllHourly = new(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc));
}

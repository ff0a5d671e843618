using System.Data;
using Microsoft.Extensions.Logging;
using StatsCache.Internal;
using StatsCache.Policy;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>
/// Applies the retention policy: hourly buckets older than <see cref="StatisticsCacheOptions.HourlyRetention"/>
/// become daily ones, daily buckets older than <see cref="StatisticsCacheOptions.DailyRetention"/> become
/// monthly ones. Whole days and months only, never anything refresh may still rewrite, in one transaction.
/// </summary>
internal sealed class Compressor(CacheEnvironment env, TimeProvider time, StatisticsCacheMetrics metrics, ILogger<Compressor> logger)
{
    public const string Operation = "compress";

    public async Task<CompressResult> CompressAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow().UtcDateTime;
        var sql = env.Sql;
        var options = env.Options;
        await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var maintenanceLock = await MaintenanceLock.TryAcquireAsync(connection, env.LockKey, cancellationToken).ConfigureAwait(false);
        if (maintenanceLock is null)
        {
            metrics.Skipped(Operation);
            Log.Skipped(logger, Operation);
            return new CompressResult { Skipped = true, BucketsWritten = 0, DailyFrom = null, HourlyFrom = null, Duration = time.GetElapsedTime(started) };
        }

        // Cut-offs from the same safe "now" as refreshes: an instance days ahead must not roll up hours they still rewrite.
        var timeout = CommandTimeouts.Seconds(options);
        now = await MaintenanceClock.NowAsync(connection, time, timeout, logger, cancellationToken).ConfigureAwait(false);
        var state = await MaintenanceState.LoadAsync(connection, sql, options.CacheName, now, timeout, cancellationToken).ConfigureAwait(false);
        if (state.Watermark is not { } watermark)
        {
            return new CompressResult { Skipped = true, BucketsWritten = 0, DailyFrom = null, HourlyFrom = null, Duration = time.GetElapsedTime(started) };
        }

        var cutoffs = RetentionCutoffs.At(now, watermark - options.LookBack, options.HourlyRetention, options.DailyRetention, sql.TimeZone)
            .AtLeast(state.DailyFrom, state.HourlyFrom);

        // A roll-up whose cut-off has not moved past the stored one has nothing to roll: nothing finer is ever
        // written before a stored cut-off (see RollUpSql.RollUp), so its two statements are not sent at all —
        // the usual hourly call then only advances the state. When a cut-off does move, the roll-up still starts
        // from the beginning of time, so it finds every finer bucket before it.
        await MeasureRegistry.SyncAsync(connection, sql, options.CacheName, state, now, timeout, logger, cancellationToken).ConfigureAwait(false);
        var rollUps = new List<Npgsql.NpgsqlBatchCommand>(4);
        // The host-declared measures' buckets roll up with the same cut-offs, in the same transaction; their rows are not
        // counted in BucketsWritten (the built-in buckets' figure).
        var measureRollUps = new List<Npgsql.NpgsqlBatchCommand>(4);
        if (Moved(cutoffs.HourlyFrom, state.HourlyFrom))
        {
            rollUps.AddRange(RollUp(sql, BucketSize.Hour, BucketSize.Day, cutoffs.HourlyFrom, now));
            measureRollUps.AddRange(MeasureRollUp(sql, BucketSize.Hour, BucketSize.Day, cutoffs.HourlyFrom, now));
        }

        if (Moved(cutoffs.DailyFrom, state.DailyFrom))
        {
            rollUps.AddRange(RollUp(sql, BucketSize.Day, BucketSize.Month, cutoffs.DailyFrom, now));
            measureRollUps.AddRange(MeasureRollUp(sql, BucketSize.Day, BucketSize.Month, cutoffs.DailyFrom, now));
        }

        long rows = 0;
        await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false))
        {
            // The roll-ups and the state's new cut-offs in one batch (one round trip), then the run record and the commit.
            await using var batch = new Npgsql.NpgsqlBatch(connection, transaction) { Timeout = timeout };
            foreach (var command in rollUps.Concat(measureRollUps))
            {
                batch.BatchCommands.Add(command);
            }

            batch.BatchCommands.Add(StateStore.Advance(sql, options.CacheName, null, cutoffs.DailyFrom, cutoffs.HourlyFrom, now));
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            // Each roll-up is an INSERT of the coarse buckets then a DELETE of the finer ones: count the inserts only.
            foreach (var command in rollUps.Where(c => c.CommandText.StartsWith("INSERT", StringComparison.Ordinal)))
            {
                rows += command.RecordsAffected;
            }

            await StateStore.ExecuteAsync(
                connection,
                transaction,
                timeout,
                cancellationToken,
                StateStore.RecordRun(sql, options.CacheName, Operation, now, time.GetElapsedTime(started), rows, $"monthly < {cutoffs.DailyFrom:O}, daily < {cutoffs.HourlyFrom:O}")).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        var duration = time.GetElapsedTime(started);
        metrics.Completed(Operation, duration, rows);
        Log.Compressed(logger, rows, cutoffs.DailyFrom, cutoffs.HourlyFrom, duration.TotalMilliseconds);
        return new CompressResult { Skipped = false, BucketsWritten = rows, DailyFrom = cutoffs.DailyFrom, HourlyFrom = cutoffs.HourlyFrom, Duration = duration };
    }

    /// <summary>Whether the cut-off is past the stored one (or none is stored yet), so finer buckets may lie before it.</summary>
    private static bool Moved(DateTime cutoff, DateTime? stored) => stored is not { } previous || cutoff > previous;

    private static IEnumerable<Npgsql.NpgsqlBatchCommand> RollUp(CacheSql sql, BucketSize from, BucketSize to, DateTime before, DateTime now) =>
        RollUpCommands(RollUpSql.RollUp(sql, from, to, limited: false, merge: false), before, now);

    /// <summary>The measure buckets' roll-up (plain INSERT, then DELETE, as the built-in one); none without declared measures.</summary>
    private static IEnumerable<Npgsql.NpgsqlBatchCommand> MeasureRollUp(CacheSql sql, BucketSize from, BucketSize to, DateTime before, DateTime now) =>
        sql.Measures.Count == 0 ? [] : RollUpCommands(MeasureBucketSql.RollUp(sql, from, to, limited: false, merge: false), before, now);

    private static IEnumerable<Npgsql.NpgsqlBatchCommand> RollUpCommands(IReadOnlyList<string> texts, DateTime before, DateTime now) =>
        texts.Select(text => new Npgsql.NpgsqlBatchCommand(text)
        {
            Parameters =
            {
                new("rollup_from", DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc)),
                new("rollup_to", before),
                new("now", now),
            },
        });
}

using System.Data;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using StatsCache.Internal;
using StatsCache.Policy;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>
/// Rebuilds buckets from the source for a range, chunk by chunk (one transaction per calendar
/// month or less, at the bucket size the policy keeps for it, and at most
/// <see cref="StatisticsCacheOptions.MaxRowsPerChunk"/> source rows where whole hours allow), recording
/// progress after each chunk so an interrupted backfill resumes where it stopped; the last chunk
/// moves the watermark in its own transaction. Waits for the maintenance lock.
/// </summary>
internal sealed class Backfiller(CacheEnvironment env, TimeProvider time, StatisticsCacheMetrics metrics, ILogger<Backfiller> logger)
{
    public const string Operation = "backfill";

    public async Task<BackfillResult> BackfillAsync<TExperimentId>(BackfillRequest<TExperimentId> request, IProgress<BackfillProgress>? progress, CancellationToken cancellationToken)
        where TExperimentId : notnull
    {
        var now = time.GetUtcNow().UtcDateTime;
        request.Validate(now);

        await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var maintenanceLock = await MaintenanceLock.AcquireAsync(connection, env.LockKey, cancellationToken).ConfigureAwait(false);
        var state = await MaintenanceState.LoadAsync(connection, env.Sql, env.Options.CacheName, now, CommandTimeouts.Seconds(env.Options), cancellationToken).ConfigureAwait(false);
        return await RunLockedAsync(connection, state, request, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The backfill proper, on a connection that already holds the maintenance lock.</summary>
    internal async Task<BackfillResult> RunLockedAsync<TExperimentId>(NpgsqlConnection connection, StateRow state, BackfillRequest<TExperimentId> request, IProgress<BackfillProgress>? progress, CancellationToken cancellationToken)
        where TExperimentId : notnull
    {
        var started = time.GetTimestamp();
        var sql = env.Sql;
        var options = env.Options;
        var timeout = CommandTimeouts.Seconds(options);
        var now = await MaintenanceClock.NowAsync(connection, time, timeout, logger, cancellationToken).ConfigureAwait(false);
        if (request.From > now)
        {
            // This instance's clock may be ahead of the database's: the check above could not see it.
            throw new ArgumentOutOfRangeException(nameof(request), request.From, $"request.From ({request.From:O}) is after the database's clock ({now:O}); there is nothing to backfill.");
        }

        // The registry step: forgets changed measures, builds new ones on a built cache, and says which a full backfill must build.
        var unbuilt = await MeasureRegistry.SyncAsync(connection, sql, options.CacheName, state, now, timeout, logger, cancellationToken).ConfigureAwait(false);

        // A typed array of the host's ids (long[], int[], Guid[]): the statements' parameter takes its type.
        Array? experiments = request.ExperimentIds?.Distinct().Order().ToArray();
        if (experiments is { Length: 0 })
        {
            return new BackfillResult { Resumed = false, From = null, To = now, Chunks = 0, RowsWritten = 0, Duration = time.GetElapsedTime(started) };
        }

        // Resume an interrupted backfill of the same request; otherwise start a new one up to now.
        var resumed = state.BackfillTo is not null && state.BackfillDoneUntil is not null
            && state.BackfillRequestedFrom == request.From && SameExperiments(state.BackfillExperiments, experiments);
        var full = experiments is null;
        DateTime? from;
        DateTime to;
        if (resumed)
        {
            from = state.BackfillDoneUntil!.Value;
            to = state.BackfillTo!.Value;
        }
        else
        {
            // A partial backfill stops at the watermark: what lies beyond is the next refresh's, and
            // real-time reads add the source rows from the watermark on to buckets that end there.
            // A full one never ends before the watermark, even on an instance whose clock lags it.
            to = state.Watermark is { } watermark && (!full || watermark > now) ? watermark : now;
            from = request.From ?? await EarliestSourceRowAsync(connection, sql, experiments, timeout, cancellationToken).ConfigureAwait(false);
            if (!sql.TimeZone.IsUtc && from < ReportingTimeZone.CheckedFrom)
            {
                // The zone's offsets and DST changes were only checked from CheckedFrom on.
                throw new InvalidOperationException(
                    $"StatsCache: the backfill would start at {from:O}, before {ReportingTimeZone.CheckedFrom:yyyy-MM-dd}; reporting time zone '{sql.TimeZone.Id}' is only checked for exact day buckets from then on. Backfill from a later date, or use TimeZone = \"UTC\".");
            }

            // A new full backfill builds the unbuilt measures chunk by chunk: whatever rows they hold (from an interrupted
            // build of another definition) go first, with the start.
            NpgsqlBatchCommand[] forget = full ? [.. MeasureRegistry.Forget(sql, options.CacheName, unbuilt.Select(m => m.Name).ToList())] : [];
            await StateStore.ExecuteAsync(connection, null, timeout, cancellationToken, [StateStore.StartBackfill(sql, options.CacheName, request.From, experiments, to, from ?? to, now), .. forget]).ConfigureAwait(false);
        }

        // A full backfill ends with the watermark at `to`; a partial one leaves the watermark where it is,
        // so it must not roll up anything the next refresh may still rewrite.
        var rewritableFrom = (full ? to : state.Watermark ?? to) - options.LookBack;
        var cutoffs = RetentionCutoffs.At(to, rewritableFrom, options.HourlyRetention, options.DailyRetention, sql.TimeZone)
            .AtLeast(state.DailyFrom, state.HourlyFrom);

        // Chunks by calendar and by volume: one cheap count per hour first, so no transaction reads
        // more than MaxRowsPerChunk rows where whole hours allow. Above the watermark of a built
        // cache, buckets are not split (see BackfillPlan): each chunk there moves the watermark.
        var built = full ? state.Watermark : null;
        List<BackfillChunk> chunks = [];
        if (from is { } start && start < to)
        {
            var volume = await VolumeReader.ReadAsync(connection, sql, BucketCalendar.Floor(start, BucketSize.Month, sql.TimeZone), to, experiments, options, cancellationToken).ConfigureAwait(false);

            // An empty cache within BulkBuildMaxRows is built in one set-based transaction; anything else
            // (some experiments, a resumed backfill, tables holding rows) keeps the chunked path.
            if (full && !resumed && state.Watermark is null && volume.Rows(BucketCalendar.Floor(start, BucketSize.Month, sql.TimeZone), to) <= options.BulkBuildMaxRows
                && await IsEmptyAsync(connection, sql, timeout, cancellationToken).ConfigureAwait(false))
            {
                return await BulkBuildAsync(connection, start, to, cutoffs, now, started, cancellationToken).ConfigureAwait(false);
            }

            chunks = [.. BackfillPlan.Chunks(start, to, cutoffs, sql.TimeZone, volume, splitBucketsUntil: built)];
        }

        long rows = 0;
        var runDetail = () => $"[{from:O}, {to:O}) in {chunks.Count} chunks{(experiments is null ? "" : $", {experiments.Length} experiments")}{(resumed ? ", resumed" : "")}";
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var last = i == chunks.Count - 1;
            using var span = StatisticsCacheActivities.StartChunk(options.CacheName, i + 1, chunks.Count, chunk);
            await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false))
            {
                // Session rows hold every row before the watermark this transaction leaves, and no other.
                var leaves = !full ? to : built is { } w ? (chunk.To > w ? chunk.To : w) : to;
                var written = await RangeRecompute.RunAsync(connection, transaction, sql, chunk, experiments, now, sessionsUntil: leaves, timeout, cancellationToken).ConfigureAwait(false);
                var commands = new List<NpgsqlBatchCommand>();
                if (last)
                {
                    // The last chunk and the watermark move commit together: a real-time read in between
                    // would add the source rows after the old watermark to buckets that already hold them.
                    commands.AddRange(Finish(sql, options.CacheName, full ? to : null, cutoffs, now, time.GetElapsedTime(started), rows + written, runDetail()));
                    if (full)
                    {
                        commands.Add(new NpgsqlBatchCommand(TotalsSql.RemoveOrphans(sql)));
                        commands.AddRange(MeasuresFinish(sql, options.CacheName, unbuilt, resumed, to, cutoffs, now));
                    }
                }
                else
                {
                    commands.Add(StateStore.BackfillProgress(sql, options.CacheName, chunk.To, now));
                    if (built is not null && chunk.WritesBuckets)
                    {
                        // Rebuilding a built cache: a chunk beyond its watermark moves it along (never back).
                        commands.Add(StateStore.Advance(sql, options.CacheName, chunk.To, null, null, now));
                    }
                }

                await StateStore.ExecuteAsync(connection, transaction, timeout, cancellationToken, [.. commands]).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                rows += written;
                span?.Committed(written);
            }

            Log.BackfillChunk(logger, chunk.From, chunk.To, chunk.Size, rows, i + 1, chunks.Count);
            progress?.Report(new BackfillProgress { ChunksDone = i + 1, ChunksTotal = chunks.Count, DoneUntil = chunk.To, To = to, RowsWritten = rows });
        }

        var duration = time.GetElapsedTime(started);
        if (chunks.Count == 0)
        {
            NpgsqlBatchCommand[] orphans = full ? [new NpgsqlBatchCommand(TotalsSql.RemoveOrphans(sql)), .. MeasuresFinish(sql, options.CacheName, unbuilt, resumed, to, cutoffs, now)] : [];
            await StateStore.ExecuteAsync(connection, null, timeout, cancellationToken, [.. Finish(sql, options.CacheName, full ? to : null, cutoffs, now, duration, rows, runDetail()), .. orphans]).ConfigureAwait(false);
        }

        if (rows >= VacuumAfterRows)
        {
            await VacuumAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        }

        metrics.Completed(Operation, duration, rows);
        Log.Backfilled(logger, from, to, chunks.Count, rows, duration.TotalMilliseconds, resumed);
        return new BackfillResult { Resumed = resumed, From = from, To = to, Chunks = chunks.Count, RowsWritten = rows, Duration = duration };
    }

    /// <summary>
    /// The first build of an empty cache (or a rebuild after its tables were emptied): every table filled by
    /// one set-based INSERT (<see cref="BulkBuildSql"/>) and the watermark moved, in one repeatable-read
    /// transaction — readers see the live numbers until it commits, then all of the cache, never part of it.
    /// Not resumable: interrupted, it leaves the tables empty and the next attempt starts again (chunked,
    /// since the interrupted attempt left its progress recorded). Measured at the medium size against the
    /// chunked path in docs/benchmarks.md.
    /// </summary>
    private async Task<BackfillResult> BulkBuildAsync(NpgsqlConnection connection, DateTime from, DateTime to, RetentionCutoffs cutoffs, DateTime now, long started, CancellationToken cancellationToken)
    {
        var sql = env.Sql;
        var options = env.Options;
        long rows;
        using (StatisticsCacheActivities.StartChunk(options.CacheName, 1, 1, new BackfillChunk(from, to, BucketSize.Hour)))
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (var batch = new NpgsqlBatch(connection, transaction) { Timeout = 0 })
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL jit = off"));
                foreach (var text in new[] { BulkBuildSql.FirstSeen(sql), BulkBuildSql.Buckets(sql), BulkBuildSql.Sessions(sql) })
                {
                    var command = new NpgsqlBatchCommand(text);
                    command.Parameters.AddWithValue("from", from);
                    command.Parameters.AddWithValue("to", to);
                    command.Parameters.AddWithValue("now", now);
                    command.Parameters.AddWithValue("daily_from", cutoffs.DailyFrom);
                    command.Parameters.AddWithValue("hourly_from", cutoffs.HourlyFrom);
                    batch.BatchCommands.Add(command);
                }

                batch.BatchCommands.Add(new NpgsqlBatchCommand(TotalsSql.FillIfEmpty(sql, now)));

                // The host-declared measures: each built over its whole history before the watermark, at the same sizes, and
                // registered with the watermark's move (whatever rows an earlier attempt left are deleted first).
                if (sql.Measures.Count > 0)
                {
                    foreach (var command in MeasureRegistry.Forget(sql, options.CacheName, sql.Measures.Select(m => m.Name).ToList())
                        .Concat(MeasureRegistry.Build(sql, sql.Measures, to, cutoffs.DailyFrom, cutoffs.HourlyFrom, now))
                        .Append(MeasureRegistry.Register(sql, options.CacheName, sql.Measures, now)))
                    {
                        batch.BatchCommands.Add(command);
                    }
                }

                rows = await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var detail = $"[{from:O}, {to:O}) in one set-based build";
            await StateStore.ExecuteAsync(connection, transaction, CommandTimeouts.Seconds(options), cancellationToken, [.. Finish(sql, options.CacheName, to, cutoffs, now, time.GetElapsedTime(started), rows, detail)]).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        Log.BackfillChunk(logger, from, to, BucketSize.Hour, rows, 1, 1);
        if (rows >= VacuumAfterRows)
        {
            await VacuumAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        }

        var duration = time.GetElapsedTime(started);
        metrics.Completed(Operation, duration, rows);
        Log.Backfilled(logger, from, to, 1, rows, duration.TotalMilliseconds, false);
        return new BackfillResult { Resumed = false, From = from, To = to, Chunks = 1, RowsWritten = rows, Duration = duration };
    }

    private static async Task<bool> IsEmptyAsync(NpgsqlConnection connection, CacheSql sql, int timeout, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(BulkBuildSql.Empty(sql), connection) { CommandTimeout = timeout };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The end of a backfill: watermark (full backfills) and cut-offs moved, progress forgotten, run recorded.</summary>
    private static NpgsqlBatchCommand[] Finish(CacheSql sql, string cacheName, DateTime? watermark, RetentionCutoffs cutoffs, DateTime now, TimeSpan duration, long rows, string detail)
    {
        return
        [
            StateStore.Advance(sql, cacheName, watermark, cutoffs.DailyFrom, cutoffs.HourlyFrom, now),
            StateStore.FinishBackfill(sql, cacheName, now),
            StateStore.RecordRun(sql, cacheName, Operation, now, duration, rows, detail),
        ];
    }

    /// <summary>A backfill writing at least this many rows vacuums and analyzes our tables when it is done.</summary>
    private const long VacuumAfterRows = 100_000;

    /// <summary>
    /// After a bulk rebuild, our tables have no visibility map and stale statistics until autovacuum
    /// gets to them: totals reads would visit a heap page per bucket instead of an index-only scan
    /// (measured 3× slower for a page of experiments right after a reference-size backfill). A failure
    /// here (e.g. the application's role does not own the tables) is logged, not thrown: the data is fine.
    /// </summary>
    private async Task VacuumAsync(NpgsqlConnection connection, CacheSql sql, CancellationToken cancellationToken)
    {
        try
        {
            // With synchronous_commit = off the build's commits may not be flushed yet, and VACUUM cannot
            // mark a page all-visible (nor set hint bits) for rows whose commit is not on disk: measured, the
            // bucket table was left 59–194 of 1,269 pages all-visible, and reads right after a build did a
            // bitmap heap scan instead of an index-only scan. A transaction committed synchronously flushes
            // the WAL up to it, hence every commit before it.
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                await using (var flush = new NpgsqlCommand("SET LOCAL synchronous_commit = on; SELECT pg_current_xact_id()", connection, transaction))
                {
                    await flush.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            await using var command = new NpgsqlCommand($"VACUUM (ANALYZE) {sql.Buckets}, {sql.Totals}, {sql.SessionStatistics}, {sql.FirstSeen}", connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            Log.VacuumFailed(logger, e.MessageText);
        }
    }

    /// <summary>
    /// The measures' part of a full backfill's last transaction: a resumed one builds whole the measures that were unbuilt when
    /// it resumed (its earlier chunks may have run before they were declared); then measure totals without buckets go and
    /// every declared measure is registered, as the watermark moves. Nothing without declared measures.
    /// </summary>
    private static IEnumerable<NpgsqlBatchCommand> MeasuresFinish(CacheSql sql, string cacheName, IReadOnlyList<HostMeasure> unbuilt, bool resumed, DateTime to, RetentionCutoffs cutoffs, DateTime now)
    {
        if (sql.Measures.Count == 0)
        {
            return [];
        }

        var rebuilt = resumed ? unbuilt : [];
        return MeasureRegistry.Forget(sql, cacheName, rebuilt.Select(m => m.Name).ToList())
            .Concat(MeasureRegistry.Build(sql, rebuilt, to, cutoffs.DailyFrom, cutoffs.HourlyFrom, now))
            .Append(new NpgsqlBatchCommand(MeasureTotalsSql.RemoveOrphans(sql)))
            .Append(MeasureRegistry.Register(sql, cacheName, sql.Measures, now));
    }

    private static bool SameExperiments(Array? stored, Array? requested) => KeyArrays.SameIds(stored, requested);

    private static async Task<DateTime?> EarliestSourceRowAsync(NpgsqlConnection connection, CacheSql sql, Array? experiments, int timeout, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(StateSql.EarliestSourceRow(sql, experiments is not null), connection) { CommandTimeout = timeout };
        if (experiments is not null)
        {
            command.Parameters.Add(KeyArrays.Parameter("experiments", experiments));
        }

        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        DateTime? found = value is DateTime earliest ? earliest : null;
        if (sql.Measures.Count > 0)
        {
            // The measures' sources may begin before the built-in ones: their rows before the watermark count too.
            await using var measures = new NpgsqlCommand(MeasureBuildSql.EarliestRow(sql, experiments is not null), connection) { CommandTimeout = timeout };
            if (experiments is not null)
            {
                measures.Parameters.Add(KeyArrays.Parameter("experiments", experiments));
            }

            if (await measures.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is DateTime measureEarliest && (found is not { } f || measureEarliest < f))
            {
                found = measureEarliest;
            }
        }

        return found;
    }
}

using System.Data;
using Microsoft.Extensions.Logging;
using Npgsql;
using StatsCache.Internal;
using StatsCache.Policy;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>
/// Repairs a range on demand: recomputes it from the source chunk by chunk, at the sizes stored for
/// it, and reports which experiments' statistics changed. With <see cref="SourceDeletions.Mirror"/>
/// it also removes what was deleted from the source; otherwise it only adds what was missed (rows
/// committed later than the look-back). Waits for the maintenance lock.
/// </summary>
internal sealed class Reconciler(CacheEnvironment env, TimeProvider time, StatisticsCacheMetrics metrics, ILogger<Reconciler> logger)
{
    public const string Operation = "reconcile";

    public async Task<ReconcileResult<TTeamId, TExperimentId>> ReconcileAsync<TTeamId, TExperimentId>(ReconcileRequest<TExperimentId> request, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        var now = time.GetUtcNow().UtcDateTime;
        request.Validate(now);
        await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var maintenanceLock = await MaintenanceLock.AcquireAsync(connection, env.LockKey, cancellationToken).ConfigureAwait(false);
        var state = await MaintenanceState.LoadAsync(connection, env.Sql, env.Options.CacheName, now, CommandTimeouts.Seconds(env.Options), cancellationToken).ConfigureAwait(false);
        if (state.Watermark is not { } watermark)
        {
            throw new InvalidOperationException("StatsCache: the cache was never built; run RefreshAsync or BackfillAsync before reconciling a range.");
        }

        await MeasureRegistry.SyncAsync(connection, env.Sql, env.Options.CacheName, state, now, CommandTimeouts.Seconds(env.Options), logger, cancellationToken).ConfigureAwait(false);

        var run = new LockedReconcile
        {
            DailyFrom = state.DailyFrom,
            HourlyFrom = state.HourlyFrom,
            Watermark = watermark,
            From = request.From,
            To = request.To,
            Experiments = request.ExperimentIds?.Distinct().Order().ToArray(),
            Now = now,
            Started = started,
        };
        return await RunLockedAsync<TTeamId, TExperimentId>(connection, run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The reconcile proper, on a connection that holds the maintenance lock (also used by change tracking and verify),
    /// reporting the changed experiments' ids as <typeparamref name="TTeamId"/> / <typeparamref name="TExperimentId"/>
    /// (<see cref="object"/> for a caller that does not know the host's types).
    /// </summary>
    internal async Task<ReconcileResult<TTeamId, TExperimentId>> RunLockedAsync<TTeamId, TExperimentId>(NpgsqlConnection connection, LockedReconcile run, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull
    {
        ArgumentNullException.ThrowIfNull(run);
        var (dailyFrom, hourlyFrom, watermark, from, to, experiments, now, started) = (run.DailyFrom, run.HourlyFrom, run.Watermark, run.From, run.To, run.Experiments, run.Now, run.Started);
        // Align to what is stored: a range can only be recomputed in whole stored buckets.
        var stored = new RetentionCutoffs(dailyFrom ?? DateTime.MinValue, hourlyFrom ?? DateTime.MinValue);
        var zone = env.Sql.TimeZone;
        var alignedFrom = BucketCalendar.Floor(from, stored.SizeAt(from), zone);
        var last = to.AddTicks(-1);
        var alignedTo = BucketCalendar.End(BucketCalendar.Floor(last, stored.SizeAt(last), zone), stored.SizeAt(last), zone);
        alignedTo = alignedTo < watermark ? alignedTo : watermark; // beyond the watermark is the next refresh's
        var chunks = alignedFrom < alignedTo && experiments is not { Length: 0 } ? BackfillPlan.Chunks(alignedFrom, alignedTo, stored, zone) : [];

        var before = new Dictionary<(TTeamId Team, TExperimentId Experiment), ExperimentStats>();
        var after = new Dictionary<(TTeamId Team, TExperimentId Experiment), ExperimentStats>();
        long rows = 0;
        foreach (var chunk in chunks)
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await AddRangeTotalsAsync(connection, transaction, chunk, experiments, before, cancellationToken).ConfigureAwait(false);
            rows += await RangeRecompute.RunAsync(connection, transaction, env.Sql, chunk, experiments, now, sessionsUntil: watermark, CommandTimeouts.Seconds(env.Options), cancellationToken).ConfigureAwait(false);
            await AddRangeTotalsAsync(connection, transaction, chunk, experiments, after, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        var changes = before.Keys.Union(after.Keys)
            .Select(key => new ExperimentChange<TTeamId, TExperimentId> { TeamId = key.Team, ExperimentId = key.Experiment, Before = before.GetValueOrDefault(key) ?? ExperimentStats.Empty, After = after.GetValueOrDefault(key) ?? ExperimentStats.Empty })
            .Where(c => c.Before != c.After)
            .OrderBy(c => c.TeamId).ThenBy(c => c.ExperimentId)
            .ToList();

        var duration = time.GetElapsedTime(started);
        await StateStore.ExecuteAsync(
            connection,
            transaction: null,
            CommandTimeouts.Seconds(env.Options),
            cancellationToken,
            StateStore.RecordRun(env.Sql, env.Options.CacheName, Operation, now, duration, rows, $"[{alignedFrom:O}, {alignedTo:O}) in {chunks.Count} chunks, {changes.Count} experiments changed")).ConfigureAwait(false);
        metrics.Completed(Operation, duration, rows);
        Log.Reconciled(logger, alignedFrom, alignedTo, chunks.Count, changes.Count, rows, duration.TotalMilliseconds);
        return new ReconcileResult<TTeamId, TExperimentId> { From = alignedFrom, To = alignedTo, Chunks = chunks.Count, Changes = changes, RowsWritten = rows, Duration = duration };
    }

    /// <summary>Adds the chunk's per-experiment totals (a GROUP BY over our buckets, at most one row per experiment).</summary>
    private async Task AddRangeTotalsAsync<TTeamId, TExperimentId>(NpgsqlConnection connection, NpgsqlTransaction transaction, BackfillChunk chunk, Array? experiments, Dictionary<(TTeamId, TExperimentId), ExperimentStats> totals, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull
    {
        await using var command = new NpgsqlCommand(ReconcileSql.RangeTotals(env.Sql, experiments is not null), connection, transaction) { CommandTimeout = CommandTimeouts.Seconds(env.Options) };
        command.Parameters.AddWithValue("from", chunk.From);
        command.Parameters.AddWithValue("to", chunk.To);
        if (experiments is not null)
        {
            command.Parameters.Add(KeyArrays.Parameter("experiments", experiments));
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var key = (reader.GetFieldValue<TTeamId>(0), reader.GetFieldValue<TExperimentId>(1));
            var chunkTotals = new ExperimentStats { SessionCount = reader.GetInt64(2), ParticipantCount = reader.GetInt64(3), HumanMessageCount = reader.GetInt64(4), LastActivity = reader.IsDBNull(5) ? null : reader.GetDateTime(5) };
            totals[key] = totals.TryGetValue(key, out var sum)
                ? new ExperimentStats { SessionCount = sum.SessionCount + chunkTotals.SessionCount, ParticipantCount = sum.ParticipantCount + chunkTotals.ParticipantCount, HumanMessageCount = sum.HumanMessageCount + chunkTotals.HumanMessageCount, LastActivity = Max(sum.LastActivity, chunkTotals.LastActivity) }
                : chunkTotals;
        }
    }

    private static DateTime? Max(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

/// <summary>
/// What a reconcile on a connection that holds the maintenance lock works from: the stored cut-offs and the
/// watermark it aligns to and stops at, the range, the experiments (null: all), and the run's clock.
/// </summary>
internal sealed record LockedReconcile
{
    public required DateTime? DailyFrom { get; init; }

    public required DateTime? HourlyFrom { get; init; }

    public required DateTime Watermark { get; init; }

    public required DateTime From { get; init; }

    public required DateTime To { get; init; }

    /// <summary>The experiments to recompute, sorted and distinct, as a typed array of the host's ids (long[], int[], Guid[]); null for all.</summary>
    public Array? Experiments { get; init; }

    public required DateTime Now { get; init; }

    /// <summary>The run's start (<see cref="TimeProvider.GetTimestamp"/>), for its duration.</summary>
    public required long Started { get; init; }
}

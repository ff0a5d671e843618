using System.Diagnostics;
using StatsCache.ChangeTracking;
using StatsCache.Health;
using StatsCache.Hosting;
using StatsCache.Internal;
using Npgsql;
using StatsCache.Maintenance;
using StatsCache.Policy;
using StatsCache.Reads;
using Spans = StatsCache.StatisticsCacheDiagnostics.Spans;
using Tags = StatsCache.StatisticsCacheDiagnostics.Tags;

namespace StatsCache;

/// <summary>
/// The default <see cref="IStatisticsCache"/>: a thin facade over the readers and maintenance operations, and the one
/// place that traces them: each call runs in its span (<see cref="StatisticsCacheDiagnostics.Spans"/>), each read is
/// measured, and each refresh or full backfill reports its watermark to the lag gauge.
/// </summary>
/// <summary>
/// One cache's operations, behind every typed facade (<see cref="StatisticsCache{TTeamId, TExperimentId, TSessionId}"/>)
/// and the hosted maintenance: each call gets its span, its metrics and the translation of a missing table into an
/// error that says what to do. Id-bearing calls are generic in the host's id types; the facade has checked them
/// against <see cref="Keys"/>, and internal callers that do not know them read ids as <see cref="object"/>.
/// </summary>
internal sealed class StatisticsCacheEngine(CacheEnvironment environment, TotalsReader reader, SeriesReader series, Refresher refresher, Compressor compressor, Backfiller backfiller, Reconciler reconciler, ChangeTrackingInstaller changeTracking, Verifier verifier, FailedRunRecorder failures, CacheTables tables, StatisticsCacheMetrics metrics, TimeProvider time)
    : IScheduledMaintenance
{
    /// <summary>The resolved types of the host's ids.</summary>
    public CacheKeys Keys => environment.Keys;

    /// <summary>The cache's name (for messages).</summary>
    public string CacheName => environment.Options.CacheName;

    public Task<IReadOnlyDictionary<TExperimentId, ExperimentStats>> ExperimentTotalsAsync<TTeamId, TExperimentId>(TTeamId teamId, IEnumerable<TExperimentId>? experimentIds, ReadMode? mode, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull
    {
        var read = mode ?? environment.Options.DefaultReadMode;
        return ReadAsync(Spans.ReadExperimentTotals, teamId, read, () => reader.ExperimentTotalsAsync(teamId, experimentIds, read, cancellationToken), r => r.Count);
    }

    public Task<IReadOnlyDictionary<TSessionId, SessionStats>> SessionTotalsAsync<TTeamId, TSessionId>(TTeamId teamId, IEnumerable<TSessionId>? sessionIds, ReadMode? mode, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TSessionId : notnull
    {
        var read = mode ?? environment.Options.DefaultReadMode;
        return ReadAsync(Spans.ReadSessionTotals, teamId, read, () => reader.SessionTotalsAsync(teamId, sessionIds, read, cancellationToken), r => r.Count);
    }

    public Task<IReadOnlyDictionary<TExperimentId, IReadOnlyList<SeriesPoint>>> ExperimentSeriesAsync<TTeamId, TExperimentId>(TTeamId teamId, IEnumerable<TExperimentId>? experimentIds, SeriesRequest request, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull =>
        ReadAsync(Spans.ReadExperimentSeries, teamId, null, () => series.ExperimentSeriesAsync(teamId, experimentIds, request, cancellationToken), r => r.Count);

    public Task<IReadOnlyList<SeriesPoint>> SessionSeriesAsync<TTeamId, TSessionId>(TTeamId teamId, TSessionId sessionId, SeriesRequest request, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TSessionId : notnull =>
        ReadAsync(Spans.ReadSessionSeries, teamId, null, () => series.SessionSeriesAsync(teamId, sessionId, request, cancellationToken), _ => 1);

    public Task<IReadOnlyList<BucketStats>> ExperimentBucketsAsync<TTeamId, TExperimentId>(TTeamId teamId, TExperimentId experimentId, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull =>
        ReadAsync(Spans.ReadExperimentBuckets, teamId, null, () => reader.ExperimentBucketsAsync(teamId, experimentId, cancellationToken), _ => 1);

    public Task<RefreshResult> RefreshAsync(CancellationToken cancellationToken) =>
        MaintainAsync(Spans.Refresh, () => failures.RunAsync(Refresher.Operation, () => Translate(() => refresher.RefreshAsync(cancellationToken))), Refreshed);

    public Task<CompressResult> CompressAsync(CancellationToken cancellationToken) =>
        MaintainAsync(Spans.Compress, () => failures.RunAsync(Compressor.Operation, () => Translate(() => compressor.CompressAsync(cancellationToken))), Compressed);

    public Task<BackfillResult> BackfillAsync<TExperimentId>(BackfillRequest<TExperimentId>? request, IProgress<BackfillProgress>? progress, CancellationToken cancellationToken)
        where TExperimentId : notnull =>
        MaintainAsync(Spans.Backfill, () => failures.RunAsync(Backfiller.Operation, () => Translate(() => backfiller.BackfillAsync(request ?? new BackfillRequest<TExperimentId>(), progress, cancellationToken))), (a, r) => Backfilled(a, r, full: request?.ExperimentIds is null));

    public Task<ReconcileResult<TTeamId, TExperimentId>> ReconcileAsync<TTeamId, TExperimentId>(ReconcileRequest<TExperimentId> request, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull =>
        MaintainAsync(Spans.Reconcile, () => failures.RunAsync(Reconciler.Operation, () => Translate(() => reconciler.ReconcileAsync<TTeamId, TExperimentId>(request, cancellationToken))), Reconciled);

    public Task<VerifyResult<TTeamId, TExperimentId>> VerifyAsync<TTeamId, TExperimentId>(VerifyRequest? request, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull =>
        MaintainAsync(Spans.Verify, () => failures.RunAsync(Verifier.Operation, () => Translate(() => verifier.VerifyAsync<TTeamId, TExperimentId>(request ?? new VerifyRequest(), cancellationToken))), Verified);

    /// <summary>The hosted maintenance's verify: it only needs to run it, so it reads the changed ids as objects.</summary>
    Task IScheduledMaintenance.VerifyAsync(VerifyRequest request, CancellationToken cancellationToken) => VerifyAsync<object, object>(request, cancellationToken);

    Task IScheduledMaintenance.RefreshAsync(CancellationToken cancellationToken) => RefreshAsync(cancellationToken);

    Task IScheduledMaintenance.CompressAsync(CancellationToken cancellationToken) => CompressAsync(cancellationToken);

    public Task EnableChangeTrackingAsync(CancellationToken cancellationToken) =>
        MaintainAsync(Spans.EnableChangeTracking, () => Translate(async () => { await changeTracking.InstallAsync(cancellationToken).ConfigureAwait(false); return true; }), static (_, _) => { });

    public Task DisableChangeTrackingAsync(CancellationToken cancellationToken) =>
        MaintainAsync(Spans.DisableChangeTracking, () => Translate(async () => { await changeTracking.UninstallAsync(cancellationToken).ConfigureAwait(false); return true; }), static (_, _) => { });

    public string GetChangeTrackingScript() => changeTracking.Script();

    public Task<CacheStatus> GetStatusAsync(int recentRuns, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(recentRuns);
        return ReadAsync(Spans.ReadStatus, null, null, () => reader.StatusAsync(recentRuns, cancellationToken), entities: null);
    }

    public string GetCreateTablesScript() => tables.Script();

    public Task EnsureTablesCreatedAsync(CancellationToken cancellationToken) => tables.EnsureCreatedAsync(cancellationToken);

    /// <summary>Runs a read in its span and measures it (<see cref="StatisticsCacheDiagnostics.Instruments.ReadDuration"/>).</summary>
    private async Task<T> ReadAsync<T>(string span, object? teamId, ReadMode? mode, Func<Task<T>> read, Func<T, int>? entities)
    {
        var cacheName = CacheName;
        var operation = span[ReadSpanPrefix.Length..];
        using var activity = StatisticsCacheActivities.StartRead(span, cacheName, teamId, mode);
        var started = time.GetTimestamp();
        try
        {
            var result = await Translate(read).ConfigureAwait(false);
            var count = entities?.Invoke(result);
            if (count is not null)
            {
                activity?.SetTag(Tags.IdsRequested, count);
            }

            metrics.Read(cacheName, operation, mode, time.GetElapsedTime(started), count, error: null);
            return result;
        }
        catch (Exception e)
        {
            StatisticsCacheActivities.Failed(activity, e);
            metrics.Read(cacheName, operation, mode, time.GetElapsedTime(started), entities: null, e);
            throw;
        }
    }

    private const string ReadSpanPrefix = "statscache.read.";

    /// <summary>Runs a maintenance call in its span; <paramref name="completed"/> tags it (activity may be null) and reports the watermark.</summary>
    private async Task<T> MaintainAsync<T>(string span, Func<Task<T>> run, Action<Activity?, T> completed)
    {
        using var activity = StatisticsCacheActivities.StartMaintenance(span, CacheName);
        try
        {
            var result = await run().ConfigureAwait(false);
            completed(activity, result);
            return result;
        }
        catch (Exception e)
        {
            StatisticsCacheActivities.Failed(activity, e);
            throw;
        }
    }

    private void Refreshed(Activity? activity, RefreshResult result)
    {
        if (result.Skipped)
        {
            metrics.WatermarkNotOurs(CacheName);
        }
        else
        {
            metrics.WatermarkSeen(CacheName, result.To); // a refresh that ran leaves the watermark at its window's end
        }

        activity?.SetTag(Tags.Skipped, result.Skipped).SetTag(Tags.Initialized, result.Initialized).SetTag(Tags.RowsWritten, result.RowsWritten);
        if (!result.Skipped && result.From is { } from)
        {
            activity?.SetTag(Tags.RangeFrom, StatisticsCacheActivities.Instant(from)).SetTag(Tags.RangeTo, StatisticsCacheActivities.Instant(result.To));
        }
    }

    private static void Compressed(Activity? activity, CompressResult result) =>
        activity?.SetTag(Tags.Skipped, result.Skipped).SetTag(Tags.RowsWritten, result.BucketsWritten);

    private void Backfilled(Activity? activity, BackfillResult result, bool full)
    {
        if (full)
        {
            metrics.WatermarkSeen(CacheName, result.To); // a full backfill ends with the watermark at its end
        }

        activity?.SetTag(Tags.Chunks, result.Chunks).SetTag(Tags.RowsWritten, result.RowsWritten).SetTag(Tags.Resumed, result.Resumed)
            .SetTag(Tags.RangeTo, StatisticsCacheActivities.Instant(result.To));
        if (result.From is { } from)
        {
            activity?.SetTag(Tags.RangeFrom, StatisticsCacheActivities.Instant(from));
        }
    }

    private static void Reconciled<TTeamId, TExperimentId>(Activity? activity, ReconcileResult<TTeamId, TExperimentId> result)
        where TTeamId : notnull
        where TExperimentId : notnull =>
        activity?.SetTag(Tags.Chunks, result.Chunks).SetTag(Tags.RowsWritten, result.RowsWritten).SetTag(Tags.ExperimentsChanged, result.Changes.Count)
            .SetTag(Tags.RangeFrom, StatisticsCacheActivities.Instant(result.From)).SetTag(Tags.RangeTo, StatisticsCacheActivities.Instant(result.To));

    private static void Verified<TTeamId, TExperimentId>(Activity? activity, VerifyResult<TTeamId, TExperimentId> result)
        where TTeamId : notnull
        where TExperimentId : notnull =>
        activity?.SetTag(Tags.RangesChecked, result.RangesChecked).SetTag(Tags.RangesUnrepaired, result.Unrepaired.Count()).SetTag(Tags.RowsWritten, result.RowsWritten)
            .SetTag(Tags.ExperimentsChanged, result.Changes.Count)
            .SetTag(Tags.RangeFrom, StatisticsCacheActivities.Instant(result.From)).SetTag(Tags.RangeTo, StatisticsCacheActivities.Instant(result.To));

    /// <summary>Turns "our table does not exist" into an error that says what to do about it.</summary>
    private static async Task<T> Translate<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable && e.MessageText.Contains("statscache", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"StatsCache: {e.MessageText}. Apply modelBuilder.UseStatisticsCache() in your DbContext and add/apply a migration (or check StatisticsCacheOptions.Schema).", e);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn)
        {
            throw new InvalidOperationException(
                $"StatsCache: a configured source does not match the database: {e.MessageText}. Check StatisticsCacheOptions.Sessions / HumanMessages / Versions.", e);
        }
    }
}

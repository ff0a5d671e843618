using System.Diagnostics;
using Microsoft.Extensions.Options;
using StatsCache.ChangeTracking;
using StatsCache.Health;
using StatsCache.Internal;
using Npgsql;
using StatsCache.Maintenance;
using StatsCache.Reads;
using Spans = StatsCache.StatisticsCacheDiagnostics.Spans;
using Tags = StatsCache.StatisticsCacheDiagnostics.Tags;

namespace StatsCache;

/// <summary>
/// The default <see cref="IStatisticsCache"/>: a thin facade over the readers and maintenance operations, and the one
/// place that traces them: each call runs in its span (<see cref="StatisticsCacheDiagnostics.Spans"/>), each read is
/// measured, and each refresh or full backfill reports its watermark to the lag gauge.
/// </summary>
internal sealed class StatisticsCache(IOptions<StatisticsCacheOptions> options, TotalsReader reader, SeriesReader series, Refresher refresher, Compressor compressor, Backfiller backfiller, Reconciler reconciler, ChangeTrackingInstaller changeTracking, Verifier verifier, FailedRunRecorder failures, CacheTables tables, StatisticsCacheMetrics metrics, TimeProvider time) : IStatisticsCache
{
    public Task<IReadOnlyDictionary<long, ExperimentStats>> GetExperimentTotalsAsync(long teamId, IEnumerable<long>? experimentIds, CancellationToken cancellationToken = default) =>
        GetExperimentTotalsAsync(teamId, experimentIds, options.Value.DefaultReadMode, cancellationToken);

    public Task<IReadOnlyDictionary<long, ExperimentStats>> GetExperimentTotalsAsync(long teamId, IEnumerable<long>? experimentIds, ReadMode mode, CancellationToken cancellationToken = default) =>
        ReadAsync(Spans.ReadExperimentTotals, teamId, mode, () => reader.ExperimentTotalsAsync(teamId, experimentIds, mode, cancellationToken), r => r.Count);

    public Task<IReadOnlyDictionary<long, SessionStats>> GetSessionTotalsAsync(long teamId, IEnumerable<long>? sessionIds, CancellationToken cancellationToken = default) =>
        GetSessionTotalsAsync(teamId, sessionIds, options.Value.DefaultReadMode, cancellationToken);

    public Task<IReadOnlyDictionary<long, SessionStats>> GetSessionTotalsAsync(long teamId, IEnumerable<long>? sessionIds, ReadMode mode, CancellationToken cancellationToken = default) =>
        ReadAsync(Spans.ReadSessionTotals, teamId, mode, () => reader.SessionTotalsAsync(teamId, sessionIds, mode, cancellationToken), r => r.Count);

    public Task<IReadOnlyDictionary<long, IReadOnlyList<SeriesPoint>>> GetExperimentSeriesAsync(long teamId, IEnumerable<long>? experimentIds, SeriesRequest request, CancellationToken cancellationToken = default) =>
        ReadAsync(Spans.ReadExperimentSeries, teamId, null, () => series.ExperimentSeriesAsync(teamId, experimentIds, request, cancellationToken), r => r.Count);

    public Task<IReadOnlyList<SeriesPoint>> GetSessionSeriesAsync(long teamId, long sessionId, SeriesRequest request, CancellationToken cancellationToken = default) =>
        ReadAsync(Spans.ReadSessionSeries, teamId, null, () => series.SessionSeriesAsync(teamId, sessionId, request, cancellationToken), _ => 1);

    public Task<RefreshResult> RefreshAsync(CancellationToken cancellationToken = default) =>
        MaintainAsync(Spans.Refresh, () => failures.RunAsync(Refresher.Operation, () => Translate(() => refresher.RefreshAsync(cancellationToken))), Refreshed);

    public Task<CompressResult> CompressAsync(CancellationToken cancellationToken = default) =>
        MaintainAsync(Spans.Compress, () => failures.RunAsync(Compressor.Operation, () => Translate(() => compressor.CompressAsync(cancellationToken))), Compressed);

    public Task<BackfillResult> BackfillAsync(BackfillRequest? request = null, IProgress<BackfillProgress>? progress = null, CancellationToken cancellationToken = default) =>
        MaintainAsync(Spans.Backfill, () => failures.RunAsync(Backfiller.Operation, () => Translate(() => backfiller.BackfillAsync(request ?? new BackfillRequest(), progress, cancellationToken))), (a, r) => Backfilled(a, r, full: request?.ExperimentIds is null));

    public Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken = default) =>
        MaintainAsync(Spans.Reconcile, () => failures.RunAsync(Reconciler.Operation, () => Translate(() => reconciler.ReconcileAsync(request, cancellationToken))), Reconciled);

    public Task<VerifyResult> VerifyAsync(VerifyRequest? request = null, CancellationToken cancellationToken = default) =>
        MaintainAsync(Spans.Verify, () => failures.RunAsync(Verifier.Operation, () => Translate(() => verifier.VerifyAsync(request ?? new VerifyRequest(), cancellationToken))), Verified);

    public Task EnableChangeTrackingAsync(CancellationToken cancellationToken = default) =>
        MaintainAsync(Spans.EnableChangeTracking, () => Translate(async () => { await changeTracking.InstallAsync(cancellationToken).ConfigureAwait(false); return true; }), static (_, _) => { });

    public Task DisableChangeTrackingAsync(CancellationToken cancellationToken = default) =>
        MaintainAsync(Spans.DisableChangeTracking, () => Translate(async () => { await changeTracking.UninstallAsync(cancellationToken).ConfigureAwait(false); return true; }), static (_, _) => { });

    public string GetChangeTrackingScript() => changeTracking.Script();

    public Task<IReadOnlyList<BucketStats>> GetExperimentBucketsAsync(long teamId, long experimentId, CancellationToken cancellationToken = default) =>
        ReadAsync(Spans.ReadExperimentBuckets, teamId, null, () => reader.ExperimentBucketsAsync(teamId, experimentId, cancellationToken), _ => 1);

    public Task<CacheStatus> GetStatusAsync(int recentRuns = 20, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(recentRuns);
        return ReadAsync(Spans.ReadStatus, null, null, () => reader.StatusAsync(recentRuns, cancellationToken), entities: null);
    }

    public string GetCreateTablesScript() => tables.Script();

    public Task EnsureTablesCreatedAsync(CancellationToken cancellationToken = default) => tables.EnsureCreatedAsync(cancellationToken);

    private string CacheName => options.Value.CacheName;

    /// <summary>Runs a read in its span and measures it (<see cref="StatisticsCacheDiagnostics.Instruments.ReadDuration"/>).</summary>
    private async Task<T> ReadAsync<T>(string span, long? teamId, ReadMode? mode, Func<Task<T>> read, Func<T, int>? entities)
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

    private static void Reconciled(Activity? activity, ReconcileResult result) =>
        activity?.SetTag(Tags.Chunks, result.Chunks).SetTag(Tags.RowsWritten, result.RowsWritten).SetTag(Tags.ExperimentsChanged, result.Changes.Count)
            .SetTag(Tags.RangeFrom, StatisticsCacheActivities.Instant(result.From)).SetTag(Tags.RangeTo, StatisticsCacheActivities.Instant(result.To));

    private static void Verified(Activity? activity, VerifyResult result) =>
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

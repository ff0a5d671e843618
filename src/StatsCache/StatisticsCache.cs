using Microsoft.Extensions.Options;
using StatsCache.ChangeTracking;
using StatsCache.Health;
using Npgsql;
using StatsCache.Maintenance;
using StatsCache.Reads;

namespace StatsCache;

/// <summary>The default <see cref="IStatisticsCache"/>: a thin facade over the readers and maintenance operations.</summary>
internal sealed class StatisticsCache(IOptions<StatisticsCacheOptions> options, TotalsReader reader, SeriesReader series, Refresher refresher, Compressor compressor, Backfiller backfiller, Reconciler reconciler, ChangeTrackingInstaller changeTracking, Verifier verifier, FailedRunRecorder failures, StatsCache.Storage.CacheTables tables) : IStatisticsCache
{
    public Task<IReadOnlyDictionary<long, ExperimentTotals>> GetExperimentTotalsAsync(long teamId, IEnumerable<long>? experimentIds, CancellationToken cancellationToken = default) =>
        GetExperimentTotalsAsync(teamId, experimentIds, options.Value.DefaultReadMode, cancellationToken);

    public Task<IReadOnlyDictionary<long, ExperimentTotals>> GetExperimentTotalsAsync(long teamId, IEnumerable<long>? experimentIds, ReadMode mode, CancellationToken cancellationToken = default) =>
        Translate(() => reader.ExperimentTotalsAsync(teamId, experimentIds, mode, cancellationToken));

    public Task<IReadOnlyDictionary<long, SessionTotals>> GetSessionTotalsAsync(long teamId, IEnumerable<long>? sessionIds, CancellationToken cancellationToken = default) =>
        GetSessionTotalsAsync(teamId, sessionIds, options.Value.DefaultReadMode, cancellationToken);

    public Task<IReadOnlyDictionary<long, SessionTotals>> GetSessionTotalsAsync(long teamId, IEnumerable<long>? sessionIds, ReadMode mode, CancellationToken cancellationToken = default) =>
        Translate(() => reader.SessionTotalsAsync(teamId, sessionIds, mode, cancellationToken));

    public Task<IReadOnlyDictionary<long, IReadOnlyList<SeriesPoint>>> GetExperimentSeriesAsync(long teamId, IEnumerable<long>? experimentIds, SeriesRequest request, CancellationToken cancellationToken = default) =>
        Translate(() => series.ExperimentSeriesAsync(teamId, experimentIds, request, cancellationToken));

    public Task<IReadOnlyList<SeriesPoint>> GetSessionSeriesAsync(long teamId, long sessionId, SeriesRequest request, CancellationToken cancellationToken = default) =>
        Translate(() => series.SessionSeriesAsync(teamId, sessionId, request, cancellationToken));

    public Task<RefreshResult> RefreshAsync(CancellationToken cancellationToken = default) =>
        failures.RunAsync(Refresher.Operation, () => Translate(() => refresher.RefreshAsync(cancellationToken)));

    public Task<CompressResult> CompressAsync(CancellationToken cancellationToken = default) =>
        failures.RunAsync(Compressor.Operation, () => Translate(() => compressor.CompressAsync(cancellationToken)));

    public Task<BackfillResult> BackfillAsync(BackfillRequest? request = null, IProgress<BackfillProgress>? progress = null, CancellationToken cancellationToken = default) =>
        failures.RunAsync(Backfiller.Operation, () => Translate(() => backfiller.BackfillAsync(request ?? new BackfillRequest(), progress, cancellationToken)));

    public Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken = default) =>
        failures.RunAsync(Reconciler.Operation, () => Translate(() => reconciler.ReconcileAsync(request, cancellationToken)));

    public Task<VerifyResult> VerifyAsync(VerifyRequest? request = null, CancellationToken cancellationToken = default) =>
        failures.RunAsync(Verifier.Operation, () => Translate(() => verifier.VerifyAsync(request ?? new VerifyRequest(), cancellationToken)));

    public Task EnableChangeTrackingAsync(CancellationToken cancellationToken = default) =>
        Translate(async () => { await changeTracking.InstallAsync(cancellationToken).ConfigureAwait(false); return true; });

    public Task DisableChangeTrackingAsync(CancellationToken cancellationToken = default) =>
        Translate(async () => { await changeTracking.UninstallAsync(cancellationToken).ConfigureAwait(false); return true; });

    public string GetChangeTrackingScript() => changeTracking.Script();

    public Task<IReadOnlyList<BucketRow>> GetExperimentBucketsAsync(long teamId, long experimentId, CancellationToken cancellationToken = default) =>
        Translate(() => reader.ExperimentBucketsAsync(teamId, experimentId, cancellationToken));

    public Task<CacheStatus> GetStatusAsync(int recentRuns = 20, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(recentRuns);
        return Translate(() => reader.StatusAsync(recentRuns, cancellationToken));
    }

    public string GetCreateTablesScript() => tables.Script();

    public Task EnsureTablesCreatedAsync(CancellationToken cancellationToken = default) => tables.EnsureCreatedAsync(cancellationToken);

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

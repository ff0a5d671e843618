using StatsCache.Maintenance;
using StatsCache.Reads;

namespace StatsCache;

/// <summary>
/// A statistics cache over the host's sessions and human messages: batch reads for list pages,
/// and the maintenance operations a host schedules. Resolve it from DI (it is a singleton and
/// thread-safe); register it with <c>services.AddStatisticsCache(...)</c>.
/// </summary>
public interface IStatisticsCache
{
    /// <summary>
    /// Totals of a page of experiments of one team, in one round trip. Every requested id has an
    /// entry; ids without recorded activity in <paramref name="teamId"/> — unknown ids and ids of
    /// another team alike — read as zeros. Null or empty <paramref name="experimentIds"/> give an
    /// empty result; duplicates are ignored; tens of thousands of ids work (one array parameter).
    /// </summary>
    /// <remarks>As fresh as the last refresh (see <see cref="CacheStatus.Watermark"/>).</remarks>
    Task<IReadOnlyDictionary<long, ExperimentTotals>> GetExperimentTotalsAsync(long teamId, IEnumerable<long>? experimentIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Totals of a page of sessions of one team (human messages, last activity, versions), in one
    /// round trip. Same id rules as <see cref="GetExperimentTotalsAsync"/>.
    /// </summary>
    Task<IReadOnlyDictionary<long, SessionTotals>> GetSessionTotalsAsync(long teamId, IEnumerable<long>? sessionIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Incremental refresh: re-reads the source from the watermark minus
    /// <see cref="StatisticsCacheOptions.LookBack"/> up to now and moves the watermark to now. A fixed
    /// number of set-based statements, whatever the number of experiments. If the cache was never
    /// built, this runs the full backfill instead. Skips (returns <see cref="RefreshResult.Skipped"/>)
    /// when another instance is running maintenance on the same cache.
    /// </summary>
    /// <exception cref="InvalidOperationException">The cache's tables are missing or a source is misconfigured.</exception>
    Task<RefreshResult> RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Rolls hourly buckets older than <see cref="StatisticsCacheOptions.HourlyRetention"/> into days and
    /// daily buckets older than <see cref="StatisticsCacheOptions.DailyRetention"/> into months, atomically;
    /// totals are unchanged. Skips when another instance is running maintenance.
    /// </summary>
    Task<CompressResult> CompressAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Rebuilds buckets from the source, for all or some experiments, from a date (default: the first
    /// source row) up to now, one committed chunk (≤ one month) at a time, reporting progress after
    /// each. Interrupted, it resumes on the next call with the same request. Waits for the maintenance
    /// lock if another instance holds it. Never lowers a count: a range whose raw rows the host has
    /// since purged keeps its statistics.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="BackfillRequest.From"/> is not UTC, or is after now (<see cref="ArgumentOutOfRangeException"/>).</exception>
    Task<BackfillResult> BackfillAsync(BackfillRequest? request = null, IProgress<BackfillProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The stored buckets of one experiment of one team, oldest first (for admin / "show" views).</summary>
    Task<IReadOnlyList<BucketRow>> GetExperimentBucketsAsync(long teamId, long experimentId, CancellationToken cancellationToken = default);

    /// <summary>Watermark and its lag, bucket counts by size, backfill state and the latest runs.</summary>
    Task<CacheStatus> GetStatusAsync(int recentRuns = 20, CancellationToken cancellationToken = default);
}

namespace StatsCache;

/// <summary>
/// A statistics cache over the host's sessions and human messages, for a host whose ids are <c>long</c>:
/// batch reads for list pages, and the maintenance operations a host schedules. Resolve it from DI (it is a
/// singleton and thread-safe); register it with <c>services.AddStatisticsCache(...)</c>. Every member is the
/// one of <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}"/> with <c>long</c> ids; a host
/// whose team, experiment or session ids are <c>int</c> or <c>Guid</c> resolves that one instead.
/// </summary>
public interface IStatisticsCache : IStatisticsCache<long, long, long>;

/// <summary>
/// A statistics cache over the host's sessions and human messages, read with the host's own id types: batch
/// reads for list pages, and the maintenance operations a host schedules. Resolve it from DI with the key types
/// of the cache (<see cref="StatisticsCacheOptions.Keys"/>, or the host's EF model): e.g.
/// <c>IStatisticsCache&lt;Guid, Guid, Guid&gt;</c>; other type arguments throw at resolution, naming the right
/// ones. It is a singleton and thread-safe; register it with <c>services.AddStatisticsCache(...)</c>.
/// </summary>
/// <typeparam name="TTeamId">The type of the host's team ids: <c>int</c>, <c>long</c> or <c>Guid</c>.</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
/// <typeparam name="TSessionId">The type of the host's session ids.</typeparam>
public interface IStatisticsCache<TTeamId, TExperimentId, TSessionId>
    where TTeamId : notnull
    where TExperimentId : notnull
    where TSessionId : notnull
{
#pragma warning disable RS0026 // Overloads with an optional CancellationToken each: the .NET convention; the long-keyed ones shipped in 0.1.0 on IStatisticsCache, which now inherits them from here.
    /// <summary>
    /// Totals of a page of experiments of one team, in one round trip. Every requested id has an
    /// entry; ids without recorded activity in <paramref name="teamId"/> — unknown ids and ids of
    /// another team alike — read as zeros. Null or empty <paramref name="experimentIds"/> give an
    /// empty result; duplicates are ignored; tens of thousands of ids work (one array parameter).
    /// </summary>
    /// <remarks>Read in <see cref="StatisticsCacheOptions.DefaultReadMode"/> (by default as fresh as the last refresh, see <see cref="CacheStatus.Watermark"/>).</remarks>
    Task<IReadOnlyDictionary<TExperimentId, ExperimentStats>> GetExperimentTotalsAsync(TTeamId teamId, IEnumerable<TExperimentId>? experimentIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Totals of a page of experiments read in the given <paramref name="mode"/>: cached, real-time
    /// (cached plus the source rows since the last refresh; live before the first build) or live.
    /// Same id rules and result as <see cref="GetExperimentTotalsAsync(TTeamId, IEnumerable{TExperimentId}?, CancellationToken)"/>.
    /// </summary>
    Task<IReadOnlyDictionary<TExperimentId, ExperimentStats>> GetExperimentTotalsAsync(TTeamId teamId, IEnumerable<TExperimentId>? experimentIds, ReadMode mode, CancellationToken cancellationToken = default);

    /// <summary>
    /// Totals of a page of sessions of one team (human messages, last activity, versions), in one
    /// round trip. Same id rules as <see cref="GetExperimentTotalsAsync(TTeamId, IEnumerable{TExperimentId}?, CancellationToken)"/>.
    /// </summary>
    Task<IReadOnlyDictionary<TSessionId, SessionStats>> GetSessionTotalsAsync(TTeamId teamId, IEnumerable<TSessionId>? sessionIds, CancellationToken cancellationToken = default);

    /// <summary>Totals of a page of sessions read in the given <paramref name="mode"/> (see <see cref="ReadMode"/>).</summary>
    Task<IReadOnlyDictionary<TSessionId, SessionStats>> GetSessionTotalsAsync(TTeamId teamId, IEnumerable<TSessionId>? sessionIds, ReadMode mode, CancellationToken cancellationToken = default);
#pragma warning restore RS0026

    /// <summary>
    /// Trend series of experiments over [<see cref="SeriesRequest.From"/>, <see cref="SeriesRequest.To"/>),
    /// from the buckets, in one round trip. Where the stored buckets are coarser than the requested
    /// granularity (old ranges are kept as days or months), the stored point is returned as it is, with
    /// its own size and span — values are never split or invented. Every requested id gets an entry.
    /// </summary>
    /// <exception cref="ArgumentException">The range is empty or reversed, or a time is not UTC.</exception>
    Task<IReadOnlyDictionary<TExperimentId, IReadOnlyList<SeriesPoint>>> GetExperimentSeriesAsync(TTeamId teamId, IEnumerable<TExperimentId>? experimentIds, SeriesRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Trend series of one session's human messages, computed live from the host's messages of that
    /// session (sessions are kept as one row each, not bucketed; one session's messages are a cheap
    /// index range scan). New participants and sessions are zero in these points.
    /// </summary>
    Task<IReadOnlyList<SeriesPoint>> GetSessionSeriesAsync(TTeamId teamId, TSessionId sessionId, SeriesRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Incremental refresh: re-reads the source from the watermark minus
    /// <see cref="StatisticsCacheOptions.LookBack"/> up to now and moves the watermark to now. A fixed
    /// number of set-based statements, whatever the number of experiments. If the cache was never
    /// built, this runs the full backfill instead. Skips (returns <see cref="RefreshResult.Skipped"/>)
    /// when another instance is running maintenance on the same cache.
    /// </summary>
    /// <exception cref="InvalidOperationException">The cache's tables are missing or a source is misconfigured; or, with
    /// <see cref="StatisticsCacheOptions.ChangeTracking"/>, the installed triggers are missing, broken or do not match the
    /// options in force (the message says what and how to repair it; nothing is written).</exception>
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
    /// <exception cref="ArgumentException"><see cref="BackfillRequest{TExperimentId}.From"/> is not UTC, or is after now (<see cref="ArgumentOutOfRangeException"/>).</exception>
    Task<BackfillResult> BackfillAsync(BackfillRequest<TExperimentId>? request = null, IProgress<BackfillProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Repairs a range on demand: recomputes [<see cref="ReconcileRequest{TExperimentId}.From"/>, <see cref="ReconcileRequest{TExperimentId}.To"/>)
    /// (widened to whole stored buckets, cut at the watermark) from the source, for all or some
    /// experiments, one committed chunk (≤ one month) at a time, and reports the experiments whose
    /// statistics over the range changed. Catches rows committed later than the look-back; with
    /// <see cref="StatisticsCacheOptions.Deletions"/> = <see cref="SourceDeletions.Mirror"/>
    /// also deletions and rows moved to another time or experiment. Waits for the maintenance lock.
    /// </summary>
    /// <exception cref="ArgumentException">The range is empty or reversed, or a time is not UTC.</exception>
    /// <exception cref="InvalidOperationException">The cache was never built.</exception>
    Task<ReconcileResult<TTeamId, TExperimentId>> ReconcileAsync(ReconcileRequest<TExperimentId> request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Installs (or replaces) the change-tracking triggers on the host's source tables: per-statement
    /// triggers that record changes to rows older than the refresh window in our own table, for the
    /// next refresh to recompute. Requires <see cref="StatisticsCacheOptions.ChangeTracking"/>. Needs
    /// the right to create triggers on those tables; a host that deploys DDL through migrations uses
    /// <see cref="GetChangeTrackingScript"/> instead.
    /// The trigger functions run as the installing role (<c>SECURITY DEFINER</c>), so the host's writers
    /// need no grant on the cache's schema, and they never make a host's write fail. Our tables must
    /// exist; re-run after changing the sources or <see cref="StatisticsCacheOptions.Deletions"/>
    /// (refreshes refuse until then). See docs/guarantees.md, "Privileges".
    /// </summary>
    /// <exception cref="InvalidOperationException">Change tracking is off, or no source names a table.</exception>
    Task EnableChangeTrackingAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes every change-tracking trigger and function of this cache, on whatever tables they are (also tables the options no longer name).</summary>
    Task DisableChangeTrackingAsync(CancellationToken cancellationToken = default);

    /// <summary>The idempotent DDL <see cref="EnableChangeTrackingAsync"/> runs, for a migration (<c>migrationBuilder.Sql(script)</c>).</summary>
    /// <exception cref="InvalidOperationException">Change tracking is off, or no source names a table.</exception>
    string GetChangeTrackingScript();

    /// <summary>The stored buckets of one experiment of one team, oldest first (for admin / "show" views).</summary>
    Task<IReadOnlyList<BucketStats>> GetExperimentBucketsAsync(TTeamId teamId, TExperimentId experimentId, CancellationToken cancellationToken = default);

    /// <summary>Watermark and its lag, bucket counts by size, backfill state and the latest runs.</summary>
    Task<CacheStatus> GetStatusAsync(int recentRuns = 20, CancellationToken cancellationToken = default);

    /// <summary>
    /// Compares the source with the cache range by range — one stored bucket (month, day or hour) at a
    /// time: sessions, human messages and last activity per range, from the host's created_at indexes,
    /// against the sums of the buckets — and, with <see cref="VerifyRequest.Repair"/>, repairs the ranges
    /// that differ through the reconcile's recompute (sessions with messages in them are recounted too).
    /// Finds rows refreshes cannot see (imports with old timestamps, restores, late batches beyond the
    /// look-back). Under <see cref="SourceDeletions.KeepHistory"/> a range where the source only has
    /// fewer rows (a retention purge) is reported as <see cref="RangeVerdict.Purged"/>, never lowered.
    /// Waits for the maintenance lock and records the run; ranges left differing are reported by the
    /// health check until a verify finds none.
    /// </summary>
    /// <exception cref="ArgumentException">A time is not UTC, or the range is reversed.</exception>
    /// <exception cref="InvalidOperationException">The cache was never built.</exception>
    Task<VerifyResult<TTeamId, TExperimentId>> VerifyAsync(VerifyRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The DDL of this cache's tables and indexes in its schema (<see cref="StatisticsCacheOptions.Schema"/>, or the
    /// bound model's), for hosts without EF migrations: the same tables <c>modelBuilder.UseStatisticsCache(schema)</c>
    /// gives a migration, as <c>CREATE SCHEMA / TABLE / INDEX … IF NOT EXISTS</c>, so it can run on every deployment.
    /// It creates what is missing and never alters or drops a table that exists (a later version's new column comes
    /// with a migration or its release notes).
    /// </summary>
    /// <exception cref="InvalidOperationException">The bound DbContext's model renames the cache's tables: use the host's migrations.</exception>
    string GetCreateTablesScript();

    /// <summary>
    /// Runs <see cref="GetCreateTablesScript"/> on the cache's connection, in one transaction: creates the schema, tables
    /// and indexes that are missing; existing tables and their rows are left as they are, so it is safe at every start-up
    /// and from several instances at once. Needs the right to create in the schema (and to create the schema when it is missing).
    /// </summary>
    /// <exception cref="InvalidOperationException">The bound DbContext's model renames the cache's tables: use the host's migrations.</exception>
    Task EnsureTablesCreatedAsync(CancellationToken cancellationToken = default);
}

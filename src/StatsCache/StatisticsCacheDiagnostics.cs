namespace StatsCache;

/// <summary>
/// The names under which the cache publishes traces and metrics: one <see cref="System.Diagnostics.ActivitySource"/>
/// and one <see cref="System.Diagnostics.Metrics.Meter"/>, both named <c>StatsCache</c> and versioned with the assembly.
/// </summary>
/// <remarks>
/// With OpenTelemetry:
/// <code>
/// builder.Services.AddOpenTelemetry()
///     .WithTracing(t => t.AddSource(StatisticsCacheDiagnostics.ActivitySourceName))
///     .WithMetrics(m => m.AddMeter(StatisticsCacheDiagnostics.MeterName));
/// </code>
/// Every span carries <see cref="Tags.CacheName"/>; a call that throws ends its span with
/// <see cref="System.Diagnostics.ActivityStatusCode.Error"/>, an <c>exception</c> event and <see cref="Tags.ErrorType"/>.
/// Nothing is recorded while no listener is attached.
/// </remarks>
public static class StatisticsCacheDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: <c>StatsCache</c>.</summary>
    public const string ActivitySourceName = "StatsCache";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>StatsCache</c>.</summary>
    public const string MeterName = "StatsCache";

    /// <summary>The names of the spans (activities), one per call of <see cref="IStatisticsCache"/>.</summary>
    public static class Spans
    {
        /// <summary>A refresh (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.RefreshAsync"/>); a first build's backfill chunks are its children.</summary>
        public const string Refresh = "statscache.refresh";

        /// <summary>A compression (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.CompressAsync"/>).</summary>
        public const string Compress = "statscache.compress";

        /// <summary>A backfill (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.BackfillAsync"/>).</summary>
        public const string Backfill = "statscache.backfill";

        /// <summary>
        /// One chunk (one transaction) of a backfill or a first build: a child of <see cref="Backfill"/> or <see cref="Refresh"/>,
        /// tagged with its position, bucket size, range and rows written. A chunk that did not commit ends with error status;
        /// the exception is on its parent.
        /// </summary>
        public const string BackfillChunk = "statscache.backfill.chunk";

        /// <summary>A reconcile (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.ReconcileAsync"/>).</summary>
        public const string Reconcile = "statscache.reconcile";

        /// <summary>A verify (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.VerifyAsync"/>); its repairs run inside it.</summary>
        public const string Verify = "statscache.verify";

        /// <summary>Installing the change-tracking triggers (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.EnableChangeTrackingAsync"/>).</summary>
        public const string EnableChangeTracking = "statscache.change_tracking.enable";

        /// <summary>Removing the change-tracking triggers (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.DisableChangeTrackingAsync"/>).</summary>
        public const string DisableChangeTracking = "statscache.change_tracking.disable";

        /// <summary>A read of experiment totals (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.GetExperimentTotalsAsync(TTeamId, IEnumerable{TExperimentId}?, ReadMode, CancellationToken)"/>).</summary>
        public const string ReadExperimentTotals = "statscache.read.experiment_totals";

        /// <summary>A read of session totals (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.GetSessionTotalsAsync(TTeamId, IEnumerable{TSessionId}?, ReadMode, CancellationToken)"/>).</summary>
        public const string ReadSessionTotals = "statscache.read.session_totals";

        /// <summary>A read of experiment series (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.GetExperimentSeriesAsync"/>).</summary>
        public const string ReadExperimentSeries = "statscache.read.experiment_series";

        /// <summary>A read of one session's series (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.GetSessionSeriesAsync"/>).</summary>
        public const string ReadSessionSeries = "statscache.read.session_series";

        /// <summary>A read of an experiment's buckets (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.GetExperimentBucketsAsync"/>).</summary>
        public const string ReadExperimentBuckets = "statscache.read.experiment_buckets";

        /// <summary>A read of the cache's status (<see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.GetStatusAsync"/>).</summary>
        public const string ReadStatus = "statscache.read.status";
    }

    /// <summary>The names of the instruments on the meter <see cref="MeterName"/>.</summary>
    public static class Instruments
    {
        /// <summary>Histogram, seconds: duration of each completed maintenance run, tagged with <see cref="Tags.Operation"/>.</summary>
        public const string MaintenanceDuration = "statscache.maintenance.duration";

        /// <summary>Counter, rows: rows (buckets and session rows) written by maintenance, tagged with <see cref="Tags.Operation"/>.</summary>
        public const string MaintenanceRows = "statscache.maintenance.rows";

        /// <summary>Counter, runs: refreshes and compressions skipped because another instance held the maintenance lock, tagged with <see cref="Tags.Operation"/>.</summary>
        public const string MaintenanceSkipped = "statscache.maintenance.skipped";

        /// <summary>
        /// Observable gauge, seconds: how far the last watermark this instance saw (after its last refresh or full backfill)
        /// is behind now, by the registered <see cref="TimeProvider"/>; tagged with <see cref="Tags.CacheName"/>.
        /// </summary>
        /// <remarks>
        /// Observed without a database call. An instance whose last refresh was skipped (another instance holds the lock
        /// and does the work) reports nothing for that cache, so the instance that refreshes is the one that reports;
        /// when every refresh stops, the last one to refresh keeps reporting a growing lag.
        /// </remarks>
        public const string WatermarkLag = "statscache.watermark.lag";

        /// <summary>
        /// Histogram, milliseconds: duration of each read, tagged with <see cref="Tags.CacheName"/>, <see cref="Tags.Operation"/>,
        /// <see cref="Tags.ReadMode"/> (totals reads) and <see cref="Tags.ErrorType"/> (failed reads).
        /// </summary>
        public const string ReadDuration = "statscache.read.duration";

        /// <summary>Counter, entities: experiments or sessions served by reads (every requested id, distinct), tagged like <see cref="ReadDuration"/>.</summary>
        public const string ReadEntities = "statscache.read.entities";
    }

    /// <summary>The names of the tags (attributes) on spans and measurements.</summary>
    public static class Tags
    {
        /// <summary>The cache's <see cref="StatisticsCacheOptions.CacheName"/>: on every span, on reads and on the lag gauge.</summary>
        public const string CacheName = "statscache.cache_name";

        /// <summary>
        /// The operation of a measurement: <c>refresh</c>, <c>compress</c>, <c>backfill</c>, <c>reconcile</c>, <c>verify</c>
        /// (maintenance) or <c>experiment_totals</c>, <c>session_totals</c>, <c>experiment_series</c>, <c>session_series</c>,
        /// <c>experiment_buckets</c>, <c>status</c> (reads).
        /// </summary>
        public const string Operation = "statscache.operation";

        /// <summary>The team a read is scoped to.</summary>
        public const string TeamId = "statscache.team_id";

        /// <summary>The read mode of a totals read: <c>cached</c>, <c>realtime</c> or <c>live</c>.</summary>
        public const string ReadMode = "statscache.read_mode";

        /// <summary>The number of distinct ids a read was asked for (and served: every requested id gets an entry).</summary>
        public const string IdsRequested = "statscache.ids_requested";

        /// <summary>Rows (buckets and session rows) a maintenance run or a backfill chunk wrote.</summary>
        public const string RowsWritten = "statscache.rows_written";

        /// <summary>The number of chunks (transactions) of a backfill or reconcile.</summary>
        public const string Chunks = "statscache.chunks";

        /// <summary>True when a refresh or compression was skipped because another instance held the maintenance lock.</summary>
        public const string Skipped = "statscache.skipped";

        /// <summary>True when a refresh built the cache: it ran the full backfill, or finished an interrupted one.</summary>
        public const string Initialized = "statscache.initialized";

        /// <summary>True when a backfill resumed an interrupted one.</summary>
        public const string Resumed = "statscache.resumed";

        /// <summary>The number of experiments whose totals a reconcile or verify changed.</summary>
        public const string ExperimentsChanged = "statscache.experiments_changed";

        /// <summary>The number of ranges a verify compared with the source.</summary>
        public const string RangesChecked = "statscache.ranges_checked";

        /// <summary>The number of ranges a verify left differing from the source.</summary>
        public const string RangesUnrepaired = "statscache.ranges_unrepaired";

        /// <summary>A backfill chunk's position, 1-based.</summary>
        public const string ChunkIndex = "statscache.chunk.index";

        /// <summary>The bucket size a backfill chunk writes: <c>hour</c>, <c>day</c> or <c>month</c>.</summary>
        public const string BucketSize = "statscache.bucket_size";

        /// <summary>The start of the range (ISO 8601, UTC) a run or chunk covers.</summary>
        public const string RangeFrom = "statscache.range.from";

        /// <summary>The end of the range (ISO 8601, UTC, exclusive) a run or chunk covers.</summary>
        public const string RangeTo = "statscache.range.to";

        /// <summary>The OpenTelemetry <c>error.type</c>: the full name of the exception a failed call threw.</summary>
        public const string ErrorType = "error.type";
    }
}

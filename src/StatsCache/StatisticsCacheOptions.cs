namespace StatsCache;

/// <summary>
/// Configuration of a statistics cache: where the host's data lives, where our tables live and
/// the bucket policy. Validated when the host starts (see <c>AddStatisticsCache</c>).
/// </summary>
public sealed class StatisticsCacheOptions
{
    /// <summary>
    /// Npgsql connection string. Optional when the cache is bound to a <c>DbContext</c>
    /// (<c>UseDbContext&lt;TContext&gt;()</c>), whose connection string is used instead.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Schema of the cache's own tables; <see langword="null"/> (default) uses the search path.
    /// Must match the schema given to <c>modelBuilder.UseStatisticsCache(schema)</c>; when the cache is
    /// bound to a <c>DbContext</c> the names are read from its model and this option is ignored.
    /// </summary>
    public string? Schema { get; set; }

    /// <summary>Where sessions live. Required.</summary>
    public SessionSourceOptions Sessions { get; } = new();

    /// <summary>Where human messages live. Required.</summary>
    public HumanMessageSourceOptions HumanMessages { get; } = new();

    /// <summary>Where message version labels live. Optional.</summary>
    public VersionSourceOptions Versions { get; } = new();

    /// <summary>
    /// Statistics the host declares on top of the built-in ones: counts or sums of its own rows (bot messages, tokens
    /// used), kept per experiment and per session and read from the results' <c>Measures</c> dictionaries. Optional;
    /// see <see cref="MeasureOptions"/>.
    /// </summary>
    public IList<MeasureOptions> Measures { get; } = [];

    /// <summary>
    /// The types of the host's ids (team, experiment, session, participant): <c>long</c> (default), <c>int</c> or
    /// <c>Guid</c> each. Unset kinds come from the host's EF model when the sources are mapped from it. Read a cache
    /// whose ids are not all <c>long</c> through <c>IStatisticsCache&lt;TTeamId, TExperimentId, TSessionId&gt;</c>.
    /// </summary>
    public KeyTypeOptions Keys { get; } = new();

    /// <summary>
    /// How far behind the watermark each refresh re-reads, to count rows committed late by
    /// transactions that were still open during the previous refresh. Default 15 minutes;
    /// allowed 0 to less than <see cref="HourlyRetention"/>. Rows committed later than this behind
    /// their own timestamp are only counted by a backfill of their range.
    /// </summary>
    public TimeSpan LookBack { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long hourly buckets are kept before they are rolled up into days. Default 1 day; allowed 1 day to 31 days.</summary>
    public TimeSpan HourlyRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long daily buckets are kept before they are rolled up into months. Default 30 days; allowed from <see cref="HourlyRetention"/> to 3660 days.</summary>
    public TimeSpan DailyRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// What recomputes do with source rows that were counted and are gone: keep their statistics
    /// (<see cref="SourceDeletions.KeepHistory"/>, default: a retention purge never erases
    /// history) or follow the source (<see cref="SourceDeletions.Mirror"/>: privacy erasure
    /// lowers the totals). Deletions older than the refresh window are seen by
    /// <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.ReconcileAsync"/> or by change tracking.
    /// </summary>
    public SourceDeletions Deletions { get; set; } = SourceDeletions.KeepHistory;

    /// <summary>
    /// Apply the source changes recorded by the change-tracking triggers on every refresh (default
    /// false). Install the triggers with <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.EnableChangeTrackingAsync"/> or
    /// the script of <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.GetChangeTrackingScript"/>. They record inserts and
    /// updates of rows older than the refresh window (and deletions, when mirroring them), so late
    /// rows, moved rows and erasures are recomputed by the next refresh, not only by a reconcile.
    /// </summary>
    public bool ChangeTracking { get; set; }

    /// <summary>
    /// The <see cref="ReadMode"/> of the totals reads that take none: <see cref="ReadMode.Cached"/>
    /// (default; as fresh as the last refresh) or <see cref="ReadMode.RealTime"/> (exact to the
    /// second, at the cost of the rows since the last refresh, and live numbers before the first build).
    /// </summary>
    public ReadMode DefaultReadMode { get; set; } = ReadMode.Cached;

    /// <summary>
    /// A name distinguishing this cache's maintenance lock and state from another cache in the same
    /// database (e.g. two caches over different sources). Default <c>default</c>; a plain identifier.
    /// Each cache also needs its own tables (<see cref="Schema"/>, or <c>UseStatisticsCache("b_stats")</c>):
    /// one set of tables holds one cache, and a second name on the same tables is refused at its first maintenance call.
    /// </summary>
    public string CacheName { get; set; } = "default";

    /// <summary>
    /// The IANA time zone whose local midnights start day buckets and whose local first-of-month
    /// midnights start month buckets (a day is 23 or 25 hours long on a DST change). Default <c>UTC</c>.
    /// Hour buckets are UTC hours in every zone, so only zones whose UTC offset is a whole number of
    /// hours are allowed (Asia/Kolkata, Australia/Adelaide and the like are refused), and zones whose
    /// clocks turn back across midnight (America/Havana) are refused too; see <see cref="ReportingTimeZone"/>.
    /// Fixed per cache: a cache built in one zone refuses to run in another until it is rebuilt.
    /// </summary>
    public string TimeZone { get; set; } = "UTC";
    /// <summary>
    /// How long one maintenance statement (refresh, backfill, compress, reconcile) may run before it is
    /// cancelled. Npgsql's default of 30 seconds is far too short for a first build or a catch-up at
    /// scale; reads keep the connection's own timeout. Default 10 minutes; allowed 1 second to 24 hours.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The most source rows (sessions plus human messages) one maintenance transaction should read:
    /// a backfill chunk or a catch-up step of a refresh covering more is split into smaller ones (whole
    /// hours at least), so every transaction stays bounded. Default 2,000,000; allowed 1 to 1,000,000,000.
    /// </summary>
    public long MaxRowsPerChunk { get; set; } = 2_000_000;

    /// <summary>
    /// An empty cache (first build, or a rebuild after its tables were emptied) whose source holds at most
    /// this many rows (sessions plus human messages) is built in one set-based transaction — each table filled
    /// by one INSERT, the watermark moved with it, several times faster than chunk by chunk — instead of in
    /// chunks of <see cref="MaxRowsPerChunk"/>. It is not resumable: interrupted, it starts again. 0 always
    /// builds chunk by chunk. Default 50,000,000; allowed 0 to 1,000,000,000.
    /// </summary>
    public long BulkBuildMaxRows { get; set; } = 50_000_000;

    /// <summary>
    /// Whether the batch reads (<c>GetExperimentTotalsAsync</c>, <c>GetSessionTotalsAsync</c>) are prepared, so
    /// PostgreSQL parses and plans them once per connection instead of on every page (planning costs more than
    /// running such a keyed lookup). Default <see langword="true"/>. Set it to <see langword="false"/> behind a
    /// pooler that cannot keep prepared statements across transactions (PgBouncer in transaction mode before
    /// 1.21, or without <c>max_prepared_statements</c>): there a prepared read fails with "prepared statement
    /// does not exist".
    /// </summary>
    public bool PrepareReads { get; set; } = true;

    /// <summary>
    /// The Npgsql data source the cache opens its connections from; it takes precedence over
    /// <see cref="ConnectionString"/> and over a bound DbContext's connection. Optional: a cache bound to a
    /// DbContext configured with <c>UseNpgsql(dataSource)</c> (or a data source registered in DI) already
    /// uses that data source, with its password and settings. The cache never disposes a data source it was given.
    /// </summary>
    public Npgsql.NpgsqlDataSource? DataSource { get; set; }
}

using StatsCache.Policy;

namespace StatsCache.Sql;

/// <summary>
/// Everything the statements need to know about one configured cache: the host's sources as
/// sub-queries with canonical column names, and our own tables' quoted, qualified names.
/// Built once per cache; the statement families in this folder turn it into SQL text.
/// </summary>
/// <param name="Sessions">Sub-query: team_id, experiment_id, session_id, participant_id, created_at.</param>
/// <param name="HumanMessages">Sub-query: team_id, experiment_id, session_id, created_at.</param>
/// <param name="Versions">Sub-query: session_id, version, created_at (and team_id when <see cref="VersionsHaveTeam"/>); null when the host keeps no versions.</param>
/// <param name="Buckets">Quoted name of the experiment bucket table.</param>
/// <param name="SessionStatistics">Quoted name of the session totals table.</param>
/// <param name="FirstSeen">Quoted name of the participant first-seen table.</param>
/// <param name="State">Quoted name of the state table.</param>
/// <param name="Runs">Quoted name of the run history table.</param>
/// <param name="TimeZone">The reporting time zone of day and month buckets.</param>
internal sealed record CacheSql(
    string Sessions,
    string HumanMessages,
    string? Versions,
    string Buckets,
    string SessionStatistics,
    string FirstSeen,
    string State,
    string Runs,
    ReportingTimeZone TimeZone)
{
    /// <summary>
    /// <see cref="SourceDeletions.Mirror"/>: recomputed ranges are set to what the source holds
    /// now (counts may go down), instead of merged with what was counted (counts never go down).
    /// </summary>
    public bool MirrorDeletions { get; init; }

    /// <summary>
    /// Whether version tags carry their team (<see cref="VersionSourceOptions.TeamIdColumn"/>):
    /// then every join of a tag to a session includes the team; otherwise session ids are unique across
    /// teams (the host says so by not naming a team column) and tags are joined by session id alone.
    /// </summary>
    public bool VersionsHaveTeam { get; init; }

    /// <summary>
    /// Join condition of the version tags (or rows derived from them) <paramref name="versions"/> to
    /// the session-keyed rows <paramref name="other"/>: session id, plus team when tags carry one.
    /// </summary>
    public string VersionJoin(string versions, string other) => VersionsHaveTeam
        ? $"{versions}.team_id = {other}.team_id AND {versions}.session_id = {other}.session_id"
        : $"{versions}.session_id = {other}.session_id";

    /// <summary>The team of a version tag as a select-list expression: its column, or a NULL of the team key type when tags carry none.</summary>
    public string VersionTeam(string versions) => VersionsHaveTeam ? $"{versions}.team_id" : $"NULL::{TeamType}";

    /// <summary>
    /// The types of the host's ids, resolved at start-up: every id literal and cast in the statements (a typed NULL,
    /// an empty array) is of its kind's type, so our columns, the host's and the parameters compare without casts.
    /// </summary>
    public CacheKeys Keys { get; init; } = CacheKeys.Int64;

    /// <summary>The SQL type of team ids (bigint, integer or uuid).</summary>
    public string TeamType => CacheKeys.SqlType(Keys.Team);

    /// <summary>The SQL type of experiment ids.</summary>
    public string ExperimentType => CacheKeys.SqlType(Keys.Experiment);

    /// <summary>The SQL type of session ids.</summary>
    public string SessionType => CacheKeys.SqlType(Keys.Session);

    /// <summary>The SQL type of participant ids.</summary>
    public string ParticipantType => CacheKeys.SqlType(Keys.Participant);

    /// <summary>
    /// <c>max(expression)</c> of experiment ids (with an optional <c> FILTER (WHERE …)</c>): PostgreSQL has no max of
    /// uuid, so for Guid ids it is the max of the canonical text in byte order (<c>COLLATE "C"</c>), which is uuid order,
    /// cast back. The same pick either way: the greatest id.
    /// </summary>
    public string MaxExperiment(string expression, string filter = "") => Extreme("max", expression, filter, Keys.Experiment);

    /// <summary><c>min(expression)</c> of experiment ids; see <see cref="MaxExperiment"/>.</summary>
    public string MinExperiment(string expression, string filter = "") => Extreme("min", expression, filter, Keys.Experiment);

    private static string Extreme(string aggregate, string expression, string filter, KeyType type) => type == KeyType.Guid
        ? $"({aggregate}({expression}::text COLLATE \"C\"){filter})::uuid"
        : $"{aggregate}({expression}){filter}";

    /// <summary>Quoted name of the table where change-tracking triggers record source changes.</summary>
    public string SourceChanges { get; init; } = "\"" + Storage.StorageTableNames.SourceChanges + "\"";

    /// <summary>
    /// The host-declared measures (<see cref="StatisticsCacheOptions.Measures"/>), in declaration order: empty for a cache
    /// with only the built-in statistics, whose statements then are exactly those without measures.
    /// </summary>
    public IReadOnlyList<HostMeasure> Measures { get; init; } = [];

    /// <summary>Quoted name of the measures' bucket table (team, experiment, measure, size, start → value).</summary>
    public string MeasureBuckets { get; init; } = "\"" + Storage.StorageTableNames.ExperimentMeasureBuckets + "\"";

    /// <summary>Quoted name of the measures' per-experiment totals table (team, experiment, measure → value).</summary>
    public string MeasureTotals { get; init; } = "\"" + Storage.StorageTableNames.ExperimentMeasures + "\"";

    /// <summary>Quoted name of the measures' per-session table (team, session, measure → experiment, value, last_at).</summary>
    public string SessionMeasures { get; init; } = "\"" + Storage.StorageTableNames.SessionMeasures + "\"";

    /// <summary>Quoted name of the registry of built measures (cache_name, measure → fingerprint, built_at).</summary>
    public string MeasureRegistry { get; init; } = "\"" + Storage.StorageTableNames.Measures + "\"";

    /// <summary>Quoted name of the per-experiment totals table (<see cref="TotalsSql"/>).</summary>
    public string Totals { get; init; } = "\"" + Storage.StorageTableNames.ExperimentTotals + "\"";

    /// <summary>
    /// The zone the boundaries of <paramref name="size"/> are computed in, as a literal: UTC for hours,
    /// the reporting time zone for days and months. Always passed explicitly to date_trunc and AT TIME
    /// ZONE so the server's or session's TimeZone setting can never shift a bucket.
    /// </summary>
    public string ZoneFor(BucketSize size) => size == BucketSize.Hour ? "'UTC'" : TimeZone.SqlLiteral;

    /// <summary>
    /// Whether <paramref name="table"/> holds a row, as a scalar sub-query with LIMIT 1 rather than
    /// EXISTS: the same single-row probe in PostgreSQL, but Citus cannot push an EXISTS over a whole
    /// distributed table down and ships the table to the coordinator to answer it, while this one runs
    /// on each shard with its LIMIT and brings back at most one row per shard.
    /// </summary>
    public static string HasRows(string table) => $"((SELECT true FROM {table} LIMIT 1) IS NOT NULL)";

    /// <summary>"AND alias.experiment_id = ANY(@experiments)" when the statement is limited to some experiments.</summary>
    public static string ExperimentFilter(string alias, bool limited) =>
        limited ? $" AND {alias}.experiment_id = ANY(@experiments)" : "";

    /// <summary>
    /// The exclusive end of a bucket row: an hour later for an hour; the next local midnight (or first
    /// of month) of the reporting time zone for a day (month). Truncating the local start first matters
    /// on a day that begins with a DST gap: it starts at 01:00 local, yet ends at the next midnight.
    /// Adding an interval to a timestamptz would use the session's zone, hence the AT TIME ZONE round trip.
    /// </summary>
    /// <remarks>
    /// Searched CASE (<c>CASE WHEN size = 1</c>), not the simple form (<c>CASE size WHEN 1</c>): Citus
    /// deparses the simple form into the shard query as <c>CASE … WHEN NULL::boolean</c>, which fails
    /// there with "operator does not exist: smallint = boolean". Both plan alike in PostgreSQL.
    /// </remarks>
    public string BucketEnd(string alias) =>
        $"(CASE WHEN {alias}.bucket_size = 1 THEN {alias}.bucket_start + interval '1 hour' " +
        $"ELSE (date_trunc('day', {alias}.bucket_start AT TIME ZONE {TimeZone.SqlLiteral}) + CASE WHEN {alias}.bucket_size = 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE {TimeZone.SqlLiteral} END)";
}

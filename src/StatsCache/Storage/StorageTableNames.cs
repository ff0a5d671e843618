namespace StatsCache.Storage;

/// <summary>
/// Default table names of the cache's own tables. Column names are fixed by the entity
/// configurations (explicit <c>HasColumnName</c>, which naming-convention plugins respect);
/// table names and schema are read back from the host's EF model when the cache is bound to a DbContext.
/// </summary>
internal static class StorageTableNames
{
    /// <summary>Experiment buckets.</summary>
    public const string ExperimentBuckets = "statscache_experiment_buckets";

    /// <summary>Per-experiment totals: the sums over each experiment's buckets.</summary>
    public const string ExperimentTotals = "statscache_experiment_totals";

    /// <summary>Per-session totals.</summary>
    public const string SessionStatistics = "statscache_session_statistics";

    /// <summary>First session of each participant with each experiment.</summary>
    public const string ParticipantFirstSeen = "statscache_participant_first_seen";

    /// <summary>Watermark and backfill progress.</summary>
    public const string CacheState = "statscache_state";

    /// <summary>Source changes recorded by change tracking, waiting for the next refresh.</summary>
    public const string SourceChanges = "statscache_source_changes";

    /// <summary>Run history.</summary>
    public const string MaintenanceRuns = "statscache_runs";

    /// <summary>Time buckets of the host-declared measures.</summary>
    public const string ExperimentMeasureBuckets = "statscache_experiment_measure_buckets";

    /// <summary>Per-experiment totals of the host-declared measures.</summary>
    public const string ExperimentMeasures = "statscache_experiment_measures";

    /// <summary>Per-session totals of the host-declared measures.</summary>
    public const string SessionMeasures = "statscache_session_measures";

    /// <summary>The host-declared measures each cache has built.</summary>
    public const string Measures = "statscache_measures";
}

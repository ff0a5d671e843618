namespace StatsCache.Benchmarks.Host;

/// <summary>
/// The default names of the cache's tables, for the benchmark's raw SQL (reset, storage sizes, the raw-SQL
/// page variants). The library keeps its own list internal: a host gets the tables through its migrations
/// (<c>modelBuilder.UseStatisticsCache()</c>) or <c>GetCreateTablesScript()</c>, and one writing raw SQL over
/// them reads the names from its EF model, which also sees a rename.
/// </summary>
internal static class CacheTableNames
{
    public const string ExperimentBuckets = "statscache_experiment_buckets";
    public const string ExperimentTotals = "statscache_experiment_totals";
    public const string SessionStatistics = "statscache_session_statistics";
    public const string ParticipantFirstSeen = "statscache_participant_first_seen";
    public const string CacheState = "statscache_state";
    public const string MaintenanceRuns = "statscache_runs";
}

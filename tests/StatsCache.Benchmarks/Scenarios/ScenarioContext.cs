using Npgsql;
using StatsCache.Benchmarks.Host;
using StatsCache.Benchmarks.Report;
using StatsCache.Benchmarks.Workload;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>What every scenario needs: the database, the cache host and its clock, the data's facts, the run's settings.</summary>
internal sealed class ScenarioContext(
    NpgsqlDataSource db,
    CacheHost host,
    WorkloadFacts facts,
    TrafficGenerator traffic,
    BenchmarkRun run,
    int backfillRuns,
    Action<string> log)
{
    public NpgsqlDataSource Db { get; } = db;

    public CacheHost Host { get; } = host;

    public IStatisticsCache Cache => Host.Cache;

    public WorkloadFacts Facts { get; } = facts;

    public TrafficGenerator Traffic { get; } = traffic;

    public BenchmarkRun Run { get; } = run;

    public int Runs => Run.Runs;

    public int Warmups => Run.Warmups;

    public int BackfillRuns { get; } = backfillRuns;

    public Action<string> Log { get; } = log;
}

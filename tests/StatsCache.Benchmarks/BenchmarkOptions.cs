using StatsCache.Benchmarks.Workload;

namespace StatsCache.Benchmarks;

/// <summary>The command line, parsed.</summary>
internal sealed record BenchmarkOptions(
    WorkloadSize Size,
    int Runs,
    int Warmups,
    int BackfillRuns,
    string? Connection,
    string? DataDirectory,
    bool Fresh,
    bool GenerateOnly,
    string ResultsDirectory,
    string ReportPath,
    string CommandLine);

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
    IReadOnlySet<string> Scenarios,
    string ResultsDirectory,
    string ReportPath,
    string CommandLine);

/// <summary>The scenario names <c>--scenarios</c> accepts, in the order a run has them.</summary>
internal static class BenchmarkScenarios
{
    /// <summary>Every scenario.</summary>
    public static readonly IReadOnlyList<string> All = ["backfill", "page", "sessions", "batch", "refresh", "verify", "compression", "storage"];
}

using System.CommandLine;
using StatsCache.Benchmarks;
using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Benchmarks.Workload;

// dotnet run -c Release --project tests/StatsCache.Benchmarks -- --size small|medium|reference [options]
var size = new Option<string>("--size") { Description = "Workload size: small (CI smoke, ~1 min), medium (1/10 of reference), reference (2M sessions, 20M messages).", DefaultValueFactory = _ => "small" };
size.AcceptOnlyFromAmong([.. WorkloadSize.All.Select(s => s.Name)]);
var runs = new Option<int>("--runs") { Description = "Measured runs per variant (after the warm-ups).", DefaultValueFactory = _ => 5 };
var warmups = new Option<int>("--warmups") { Description = "Warm-up runs per variant, not measured.", DefaultValueFactory = _ => 1 };
var backfillRuns = new Option<int>("--backfill-runs") { Description = "Full backfills from empty (each one the size of the data).", DefaultValueFactory = _ => 3 };
var connection = new Option<string?>("--connection") { Description = "Npgsql connection string of a server to use (superuser; the benchmark creates database statscache_bench_<size>). Default: STATSCACHE_TEST_CONNECTION, else a local cluster." };
var dataDirectory = new Option<string?>("--data-dir") { Description = "Keep the local cluster in this directory and reuse its generated data on the next run (e.g. /var/tmp/statscache-bench). Default: a throwaway cluster." };
var fresh = new Option<bool>("--fresh") { Description = "Drop the size's database and generate it again." };
var generateOnly = new Option<bool>("--generate-only") { Description = "Generate (or finish generating) the workload, then stop." };
var resultsDirectory = new Option<string>("--results-dir") { Description = "Where the run's JSON goes (one file per size); the report is rebuilt from every file there.", DefaultValueFactory = _ => Path.Combine(RepositoryPaths.Root, "docs", "benchmark-results") };
var scenarios = new Option<string[]>("--scenarios") { Description = "Run only these scenarios (default: all): " + string.Join(", ", BenchmarkScenarios.All) + ". The cache is always built first (one backfill when 'backfill' is not listed). For profiling; a partial run's results belong in a scratch --results-dir.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [.. BenchmarkScenarios.All] };
scenarios.AcceptOnlyFromAmong([.. BenchmarkScenarios.All]);
var report = new Option<string>("--report") { Description = "The Markdown report to regenerate.", DefaultValueFactory = _ => Path.Combine(RepositoryPaths.Root, "docs", "benchmarks.md") };

var root = new RootCommand("StatsCache benchmark: StatsCache side by side with live sub-queries, the seed's refresh and a materialized view.")
{
    size, runs, warmups, backfillRuns, connection, dataDirectory, fresh, generateOnly, scenarios, resultsDirectory, report,
};
root.SetAction((parse, cancellationToken) =>
{
    var options = new BenchmarkOptions(
        WorkloadSize.Parse(parse.GetValue(size)!),
        Math.Max(1, parse.GetValue(runs)),
        Math.Max(0, parse.GetValue(warmups)),
        Math.Max(1, parse.GetValue(backfillRuns)),
        parse.GetValue(connection),
        parse.GetValue(dataDirectory),
        parse.GetValue(fresh),
        parse.GetValue(generateOnly),
        new HashSet<string>(parse.GetValue(scenarios)!, StringComparer.Ordinal),
        Path.GetFullPath(parse.GetValue(resultsDirectory)!),
        Path.GetFullPath(parse.GetValue(report)!),
        "dotnet run -c Release --project tests/StatsCache.Benchmarks -- " + string.Join(' ', Redacted(args)));
    return BenchmarkApp.RunAsync(options, cancellationToken);
});
return await root.Parse(args).InvokeAsync();

// The command goes into the committed report: never a connection string (it may hold a password).
static IEnumerable<string> Redacted(string[] args)
{
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i] == "--connection" && i + 1 < args.Length)
        {
            yield return "--connection";
            yield return "'<connection string>'";
            i++;
        }
        else if (args[i].StartsWith("--connection=", StringComparison.Ordinal))
        {
            yield return "--connection='<connection string>'";
        }
        else
        {
            yield return args[i].Contains(' ', StringComparison.Ordinal) ? $"\"{args[i]}\"" : args[i];
        }
    }
}

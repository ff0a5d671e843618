using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StatsCache.Benchmarks.Baselines;
using StatsCache.Benchmarks.Host;
using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Benchmarks.Measurement;
using StatsCache.Benchmarks.Report;
using StatsCache.Benchmarks.Scenarios;
using StatsCache.Benchmarks.Workload;

namespace StatsCache.Benchmarks;

/// <summary>
/// One benchmark run: obtain a server and the size's database, generate (or reuse) the workload,
/// run the scenarios in the order the cache's life has them (build, read, refresh, compress, measure
/// storage), save the results and regenerate the report.
/// </summary>
internal static class BenchmarkApp
{
    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        void Log(string message) => Console.WriteLine($"[{total.Elapsed:mm\\:ss}] {message}");

        Log($"size {options.Size.Name}: {options.Size.Sessions:N0} sessions, {options.Size.Messages:N0} messages; {options.Warmups} warm-up + {options.Runs} runs");
        await using var server = await BenchmarkServer.StartAsync(options.Connection, options.DataDirectory, Log, ct);
        var connectionString = await server.EnsureDatabaseAsync("statscache_bench_" + options.Size.Name, options.Fresh, ct);
        await using var db = NpgsqlDataSource.Create(connectionString);

        var end = await new WorkloadGenerator(db, options.Size, Log).GenerateOrReuseAsync(ct);
        if (options.GenerateOnly)
        {
            Log("workload generated; --generate-only: stopping here");
            return 0;
        }

        await CacheHost.RecreateCacheTablesAsync(db, connectionString, ct);
        await SeedBuckets.EnsureAsync(db, ct);
        Log("materialized view: ensuring it exists and is populated");
        await MaterializedView.EnsureAsync(db, ct);

        var traffic = new TrafficGenerator(db, options.Size, end.AddMonths(-options.Size.Months), end);
        var dataEnd = await traffic.DataEndAsync(ct);
        var facts = await WorkloadFacts.ReadAsync(db, dataEnd, ct);
        Log($"data: {facts.Sessions:N0} sessions, {facts.Messages:N0} messages up to {dataEnd:O}; largest team {facts.LargestTeam}, median team {facts.MedianTeam}, largest chatbot {facts.LargestExperiment} ({facts.LargestExperimentSessions:N0} sessions)");

        var run = new BenchmarkRun
        {
            Size = options.Size.Name,
            Command = options.CommandLine,
            StartedAt = DateTime.UtcNow,
            Machine = MachineInfo.Current(
                "PostgreSQL " + await Db.ScalarAsync<string>(db, "SHOW server_version", ct)
                + ", shared_buffers " + await Db.ScalarAsync<string>(db, "SHOW shared_buffers", ct)
                + ", work_mem " + await Db.ScalarAsync<string>(db, "SHOW work_mem", ct)),
            Server = server.Description,
            Runs = options.Runs,
            Warmups = options.Warmups,
            Workload = facts,
        };

        await using var host = CacheHost.Create(connectionString, dataEnd);
        var context = new ScenarioContext(db, host, facts, traffic, run, options.BackfillRuns, Log);

        var only = options.Scenarios;
        if (only.Contains("backfill"))
        {
            Log("scenario: full backfill");
            await BackfillScenario.RunAsync(context, ct);
        }
        else
        {
            Log("building the cache (one backfill; scenario 'backfill' not selected)");
            await host.Cache.BackfillAsync(null, null, ct);
        }

        List<ChatbotRow> page = [];
        if (only.Contains("page") || only.Contains("batch"))
        {
            Log("scenario: chatbots page (largest team)");
            page = await ChatbotsPageScenario.RunAsync(context, "largest", facts.LargestTeam, ct);
            Log("scenario: chatbots page (median team)");
            await ChatbotsPageScenario.RunAsync(context, "median", facts.MedianTeam, ct);
        }

        if (only.Contains("sessions") || only.Contains("batch"))
        {
            Log("scenario: sessions page");
            var sessions = await SessionsPageScenario.RunAsync(context, ct);
            if (only.Contains("batch"))
            {
                Log("scenario: batch totals");
                await BatchTotalsScenario.RunAsync(context, [.. page.Select(r => r.Id)], [.. sessions.Select(r => r.Id)], ct);
            }
        }

        if (only.Contains("refresh"))
        {
            Log("scenario: refresh after an hour of traffic");
            await RefreshScenario.RunAsync(context, ct);
        }

        if (only.Contains("verify"))
        {
            Log("scenario: verify");
            await VerifyScenario.RunAsync(context, ct);
        }

        if (only.Contains("compression"))
        {
            Log("scenario: compression");
            await CompressionScenario.RunAsync(context, ct);
        }

        if (only.Contains("storage"))
        {
            Log("scenario: storage");
            await StorageScenario.RunAsync(context, ct);
        }

        run.DurationSeconds = total.Elapsed.TotalSeconds;
        await ResultStore.SaveAsync(options.ResultsDirectory, run, ct);
        var markdown = MarkdownReport.Render(await ResultStore.LoadAllAsync(options.ResultsDirectory, ct));
        Directory.CreateDirectory(Path.GetDirectoryName(options.ReportPath)!);
        await File.WriteAllTextAsync(options.ReportPath, markdown, ct);

        Log($"results: {Path.Combine(options.ResultsDirectory, run.Size + ".json")}; report: {options.ReportPath}");
        foreach (var scenario in run.Scenarios)
        {
            foreach (var target in scenario.Targets)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(target.Met == true ? "met   " : "MISSED")}  {scenario.Key}: {target.Target} — {target.Actual}"));
            }
        }

        // Speed is reported, never asserted: a missed target does not fail the run. A wrong page does.
        var mismatches = run.Scenarios.SelectMany(s => s.Notes).Count(n => n.StartsWith("MISMATCH", StringComparison.Ordinal));
        if (mismatches > 0)
        {
            Console.Error.WriteLine($"{mismatches} page(s) differ from the live numbers: the cache is wrong somewhere.");
            return 2;
        }

        return 0;
    }
}

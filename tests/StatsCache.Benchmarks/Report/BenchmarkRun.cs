using StatsCache.Benchmarks.Measurement;
using StatsCache.Benchmarks.Workload;

namespace StatsCache.Benchmarks.Report;

/// <summary>Everything one run measured, saved as JSON per size; the report is regenerated from these files.</summary>
public sealed class BenchmarkRun
{
    public string Size { get; set; } = "";

    public string Command { get; set; } = "";

    public DateTime StartedAt { get; set; }

    public double DurationSeconds { get; set; }

    public MachineInfo Machine { get; set; } = new();

    public string Server { get; set; } = "";

    public int Runs { get; set; }

    public int Warmups { get; set; }

    public WorkloadFacts? Workload { get; set; }

    public List<ScenarioResult> Scenarios { get; set; } = [];

    public List<MemoryReading> Memory { get; set; } = [];

    public List<StorageRow> Storage { get; set; } = [];

    public ScenarioResult Scenario(string key, string title, string description)
    {
        var scenario = new ScenarioResult(key, title, description);
        Scenarios.Add(scenario);
        return scenario;
    }
}

/// <summary>Rows and bytes of one table (with its indexes).</summary>
public sealed record StorageRow(string Table, string Role, long Rows, long Bytes);

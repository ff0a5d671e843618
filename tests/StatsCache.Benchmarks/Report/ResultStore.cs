using System.Text.Json;
using System.Text.Json.Serialization;

namespace StatsCache.Benchmarks.Report;

/// <summary>One JSON file per size (<c>&lt;size&gt;.json</c>): the latest run of that size, from which the report is rebuilt.</summary>
internal static class ResultStore
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task SaveAsync(string directory, BenchmarkRun run, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        await using var stream = File.Create(Path.Combine(directory, run.Size + ".json"));
        await JsonSerializer.SerializeAsync(stream, run, Options, ct);
    }

    public static async Task<List<BenchmarkRun>> LoadAllAsync(string directory, CancellationToken ct)
    {
        var runs = new List<BenchmarkRun>();
        if (!Directory.Exists(directory))
        {
            return runs;
        }

        foreach (var file in Directory.GetFiles(directory, "*.json"))
        {
            await using var stream = File.OpenRead(file);
            if (await JsonSerializer.DeserializeAsync<BenchmarkRun>(stream, Options, ct) is { } run)
            {
                runs.Add(run);
            }
        }

        return runs;
    }
}

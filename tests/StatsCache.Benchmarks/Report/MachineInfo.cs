using System.Runtime.InteropServices;

namespace StatsCache.Benchmarks.Report;

/// <summary>The machine a run was measured on.</summary>
public sealed class MachineInfo
{
    public int Cores { get; set; }

    public string Cpu { get; set; } = "";

    public long MemoryBytes { get; set; }

    public string Os { get; set; } = "";

    public string Dotnet { get; set; } = "";

    public string Postgres { get; set; } = "";

    public static MachineInfo Current(string postgresVersion) => new()
    {
        Cores = Environment.ProcessorCount,
        Cpu = CpuModel(),
        MemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        Os = OsName(),
        Dotnet = RuntimeInformation.FrameworkDescription,
        Postgres = postgresVersion,
    };

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string OsName()
    {
        try
        {
            var pretty = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (pretty is not null)
            {
                return pretty["PRETTY_NAME=".Length..].Trim('"') + " (" + RuntimeInformation.OSDescription + ")";
            }
        }
        catch (IOException)
        {
        }

        return RuntimeInformation.OSDescription;
    }
}

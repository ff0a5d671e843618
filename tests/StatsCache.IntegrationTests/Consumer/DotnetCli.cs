using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Consumer;

/// <summary>
/// Runs the <c>dotnet</c> CLI the test itself runs on, in a clean environment: the MSBuild variables a
/// test host inherits from <c>dotnet test</c> would otherwise steer the child build into the parent's SDK state.
/// </summary>
internal static class DotnetCli
{
    public static string Executable =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static Task<ProcessResult> RunAsync(
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout,
        params string[] arguments) =>
        ProcessRunner.RunAsync(Executable, arguments, workingDirectory, timeout, environment: variables =>
        {
            foreach (var name in variables.Keys.ToList())
            {
                if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                {
                    variables.Remove(name);
                }
            }

            variables["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            variables["DOTNET_NOLOGO"] = "1";
            variables["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
            // No build servers or reused nodes: they would outlive the command, holding our output pipes and the CPU.
            variables["MSBUILDDISABLENODEREUSE"] = "1";
            variables["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
            variables["UseSharedCompilation"] = "false";
            foreach (var (name, value) in environment)
            {
                variables[name] = value;
            }
        });
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StatsCache.SampleHost;

/// <summary>
/// A throwaway PostgreSQL cluster in a temporary directory, for when no connection string is
/// configured: one command runs the sample on a fresh machine. The data is deleted on stop.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root: as root every binary runs through <c>runuser -u postgres --</c>
/// in a directory under /tmp owned by <c>postgres</c>. Clusters left behind by a killed process are
/// stopped and deleted on the next start.
/// </remarks>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string DirectoryPrefix = "statscache-sample-";
    private const string OwnerFile = "owner.pid";
    private const string Database = "statscache_sample";

    private readonly string _binDirectory;
    private int _stopped;

    private EmbeddedPostgres(string binDirectory, string directory, int port)
    {
        _binDirectory = binDirectory;
        RootDirectory = directory;
        Port = port;
    }

    /// <summary>The temporary directory holding the data directory, the socket and the server log.</summary>
    public string RootDirectory { get; }

    public int Port { get; }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={Database}";

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Creates and starts a cluster; about 1–2 s.</summary>
    /// <exception cref="InvalidOperationException">The server binaries are missing or the server did not start.</exception>
    public static async Task<EmbeddedPostgres> StartAsync(Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var bin = LocateBinDirectory();
        if (IsRoot && FindOnPath("runuser") is null)
        {
            throw new InvalidOperationException("Running as root, but 'runuser' (util-linux) is missing: PostgreSQL cannot run as root. Run as another user or configure ConnectionStrings:Default.");
        }

        await CleanUpAbandonedAsync(bin, log, cancellationToken);

        var directory = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres:postgres", directory], directory, cancellationToken);
        }

        var port = FreePort();
        var cluster = new EmbeddedPostgres(bin, directory, port);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            await cluster.RunToolAsync("initdb", ["-D", cluster.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], cancellationToken);
            // Always -l: without it the server inherits pg_ctl's output pipe and reading it hangs.
            // Durability is off: the cluster is thrown away on exit anyway.
            await cluster.RunToolAsync(
                "pg_ctl",
                [
                    "-D", cluster.DataDirectory, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60",
                    "-o", $"-p {port.ToString(CultureInfo.InvariantCulture)} -k {directory} -c listen_addresses=127.0.0.1 -c timezone=UTC -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                    "start",
                ],
                cancellationToken);
            log?.Invoke($"Started a throwaway PostgreSQL on 127.0.0.1:{port} in {directory} ({stopwatch.ElapsedMilliseconds} ms); it is deleted on exit.");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private string DataDirectory => Path.Combine(RootDirectory, "data");

    /// <summary>Stops the server and deletes its directory. Safe to call more than once, from any thread.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        StopCluster(_binDirectory, RootDirectory);
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private static void StopCluster(string bin, string directory)
    {
        try
        {
            var data = Path.Combine(directory, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                RunAsync(Tool(bin, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"]), directory, CancellationToken.None)
                    .GetAwaiter().GetResult();
            }
        }
        catch (InvalidOperationException)
        {
            // Already stopped, or never started: nothing to stop.
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Stops and deletes clusters whose owning process is gone (it was killed before it could stop them).</summary>
    private static async Task CleanUpAbandonedAsync(string bin, Action<string>? log, CancellationToken cancellationToken)
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var ownerFile = Path.Combine(directory, OwnerFile);
            if (!File.Exists(ownerFile)
                || !int.TryParse(await File.ReadAllTextAsync(ownerFile, cancellationToken), NumberStyles.Integer, CultureInfo.InvariantCulture, out var owner)
                || IsAlive(owner))
            {
                continue;
            }

            log?.Invoke($"Removing a throwaway PostgreSQL left behind by process {owner}: {directory}");
            StopCluster(bin, directory);
        }
    }

    private static bool IsAlive(int pid)
    {
        if (!Directory.Exists("/proc/self"))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        // /proc/<pid>/stat: "pid (comm) state ..."; a killed owner may linger as a zombie (Z) until reaped.
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var afterName = stat.LastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.Length || stat[afterName + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private Task RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(Tool(_binDirectory, tool, arguments), RootDirectory, cancellationToken);

    private static (string FileName, IReadOnlyList<string> Arguments) Tool(string bin, string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(bin, tool);
        return IsRoot ? ("runuser", ["-u", "postgres", "--", path, .. arguments]) : (path, arguments);
    }

    private static Task RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken) =>
        RunAsync((fileName, arguments), workingDirectory, cancellationToken);

    private static async Task RunAsync((string FileName, IReadOnlyList<string> Arguments) command, string workingDirectory, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(command.FileName)
        {
            // postgres must be able to enter its working directory.
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {command.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{command.FileName} {string.Join(' ', command.Arguments)}' failed with exit code {process.ExitCode}:{Environment.NewLine}{await stdout}{await stderr}" +
                $"{Environment.NewLine}(server log, if any: {Path.Combine(workingDirectory, "server.log")})");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A directory holding both initdb and pg_ctl (so they match in version): PATH first, then /usr/lib/postgresql/*/bin.</summary>
    private static string LocateBinDirectory()
    {
        var pathDirectories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var versioned = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), NumberStyles.Integer, CultureInfo.InvariantCulture, out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        foreach (var directory in pathDirectories.Concat(versioned))
        {
            if (File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException(
            "No connection string is configured (ConnectionStrings:Default, or the environment variable ConnectionStrings__Default), " +
            "so the sample tried to start a throwaway PostgreSQL, but its server binaries (initdb, pg_ctl) were found neither on PATH " +
            "nor in /usr/lib/postgresql/*/bin. Install the PostgreSQL server (e.g. apt-get install postgresql) or configure a connection string.");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.Benchmarks.Infrastructure;

/// <summary>
/// A local cluster in a directory that outlives the run (<c>--data-dir</c>), so the reference
/// workload (20M messages) is generated once and reused. Same binaries and settings as the tests'
/// throwaway cluster; started if stopped, stopped again when the run ends.
/// </summary>
internal sealed class PersistentCluster : IAsyncDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(3);
    private readonly string _binDirectory;
    private readonly string _root;

    private PersistentCluster(string root, string binDirectory, int port)
    {
        _root = root;
        _binDirectory = binDirectory;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_root, "data");

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
    }.ConnectionString;

    public static async Task<PersistentCluster> StartAsync(string directory, Action<string> log, CancellationToken ct)
    {
        var root = Path.GetFullPath(directory);
        var bin = PostgresBinaries.LocateBinDirectory();
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        if (CurrentUser.IsRoot)
        {
            await RunAsync(root, "chown", ["postgres:postgres", root], ct);
        }

        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            log($"initdb {data}");
            await RunAsServerAsync(root, Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], ct);
        }

        var pgCtl = Path.Combine(bin, "pg_ctl");
        var (statusFile, statusArguments) = PostgresBinaries.AsServerUser(pgCtl, "-D", data, "status");
        var status = await ProcessRunner.RunAsync(statusFile, statusArguments, root, ToolTimeout, ct);
        if (status.Succeeded)
        {
            // Left running by an interrupted run: use it (postmaster.pid line 4 is the port).
            var port = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).Skip(3).First(), CultureInfo.InvariantCulture);
            log($"reusing the running cluster in {root} on port {port}");
            return new PersistentCluster(root, bin, port);
        }

        var freePort = FreeLoopbackPort();
        var options = string.Join(
            ' ',
            "-p", freePort.ToString(CultureInfo.InvariantCulture),
            "-k", root,
            "-c listen_addresses=127.0.0.1",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c timezone=UTC",
            "-c max_connections=200");
        log($"starting the cluster in {root} on port {freePort}");
        await RunAsServerAsync(root, pgCtl, ["-D", data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "120", "-o", options, "start"], ct);
        return new PersistentCluster(root, bin, freePort);
    }

    public async ValueTask DisposeAsync() =>
        await RunAsServerAsync(_root, Path.Combine(_binDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "stop"], CancellationToken.None);

    private static Task RunAsServerAsync(string root, string tool, string[] arguments, CancellationToken ct)
    {
        var (fileName, fullArguments) = PostgresBinaries.AsServerUser(tool, arguments);
        return RunAsync(root, fileName, fullArguments, ct);
    }

    private static async Task RunAsync(string root, string fileName, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var result = await ProcessRunner.RunAsync(fileName, arguments, root, ToolTimeout, ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.Describe());
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

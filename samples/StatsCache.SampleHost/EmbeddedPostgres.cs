using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StatsCache.SampleHost;

/// <summary>
/// The sample's own PostgreSQL cluster, for when no connection string is configured: one command runs
/// the sample on a fresh machine. The cluster lives in a data directory that is kept across runs
/// (<see cref="DefaultDirectory"/>, or <c>Sample:DataDirectory</c>), so a second start takes a second
/// or two and finds its data (and its cache) where it left them.
/// </summary>
/// <remarks>
/// <para>
/// The first process to need the cluster starts it on a free port and stops it when it exits; any
/// other process (a management command while the web app runs) finds it running through PostgreSQL's
/// own <c>postmaster.pid</c> (which records the port) and attaches to it, leaving it running.
/// </para>
/// <para>
/// PostgreSQL refuses to run as root: as root every binary runs through <c>runuser -u postgres --</c>,
/// and the directory (by default under /var/tmp, which <c>postgres</c> can enter) is owned by <c>postgres</c>.
/// Durability is relaxed (fsync off): it is a demo's data, regenerated if it is ever lost.
/// </para>
/// </remarks>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string Database = "statscache_sample";

    private readonly string _binDirectory;
    private int _stopped;

    private EmbeddedPostgres(string binDirectory, string directory, int port, bool startedHere)
    {
        _binDirectory = binDirectory;
        RootDirectory = directory;
        Port = port;
        StartedHere = startedHere;
    }

    /// <summary>
    /// Where the sample keeps its cluster unless told otherwise: <c>/var/tmp/statscache-sample</c> as root
    /// (<c>postgres</c> cannot enter /root), else <c>$XDG_DATA_HOME/statscache-sample</c> (<c>~/.local/share/…</c>).
    /// </summary>
    public static string DefaultDirectory =>
        IsRoot
            ? "/var/tmp/statscache-sample"
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"),
                "statscache-sample");

    /// <summary>The directory holding the data directory (<c>data/</c>), the socket and the server log.</summary>
    public string RootDirectory { get; }

    public int Port { get; }

    /// <summary>Whether this process started the server (and so stops it); false when it found it running.</summary>
    public bool StartedHere { get; }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={Database}";

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// Attaches to the cluster in <paramref name="directory"/> if it runs, else starts it (creating it
    /// on first use). About 1–2 s to start, a few milliseconds to attach.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server binaries are missing or the server did not start.</exception>
    public static async Task<EmbeddedPostgres> StartOrAttachAsync(string directory, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var bin = LocateBinDirectory();
        if (IsRoot && FindOnPath("runuser") is null)
        {
            throw new InvalidOperationException("Running as root, but 'runuser' (util-linux) is missing: PostgreSQL cannot run as root. Run as another user or configure ConnectionStrings:Default.");
        }

        directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(directory);

        // One process at a time decides whether to start the server (a web app and a command started together).
        await using var startLock = await LockAsync(Path.Combine(directory, "start.lock"), cancellationToken);

        var data = Path.Combine(directory, "data");
        if (RunningPort(data) is { } runningPort)
        {
            log?.Invoke($"Using the sample's PostgreSQL already running on 127.0.0.1:{runningPort} (data in {directory}).");
            return new EmbeddedPostgres(bin, directory, runningPort, startedHere: false);
        }

        if (IsRoot)
        {
            await RunAsync(("chown", ["-R", "postgres:postgres", directory]), directory, cancellationToken);
        }

        var port = FreePort();
        var cluster = new EmbeddedPostgres(bin, directory, port, startedHere: true);
        var stopwatch = Stopwatch.StartNew();
        var created = false;
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            if (Directory.Exists(data))
            {
                // A half-made cluster (initdb interrupted): start over.
                Directory.Delete(data, recursive: true);
            }

            await cluster.RunToolAsync("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], cancellationToken);
            created = true;
        }

        // Always -l: without it the server inherits pg_ctl's output pipe and reading it hangs.
        await cluster.RunToolAsync(
            "pg_ctl",
            [
                "-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60",
                "-o", $"-p {port.ToString(CultureInfo.InvariantCulture)} -k {directory} -c listen_addresses=127.0.0.1 -c timezone=UTC -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "start",
            ],
            cancellationToken);
        log?.Invoke(created
            ? $"Created the sample's PostgreSQL in {directory} and started it on 127.0.0.1:{port} ({stopwatch.ElapsedMilliseconds} ms); the data is kept for the next run."
            : $"Started the sample's PostgreSQL on 127.0.0.1:{port} with the data kept in {directory} ({stopwatch.ElapsedMilliseconds} ms).");
        return cluster;
    }

    /// <summary>Stops the server if this process started it (the data stays). Safe to call more than once, from any thread.</summary>
    public void Stop()
    {
        if (!StartedHere || Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        StopServer(_binDirectory, RootDirectory);
    }

    /// <summary>Stops the server of <paramref name="directory"/> if it runs, whoever started it, and deletes the directory (tests, a reset).</summary>
    public static void StopAndDelete(string directory)
    {
        StopServer(LocateBinDirectory(), directory);
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

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private static void StopServer(string bin, string directory)
    {
        var data = Path.Combine(directory, "data");
        if (!File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            return;
        }

        try
        {
            // Fast, not immediate: the data is kept, so let the server write a clean shutdown checkpoint.
            RunAsync(Tool(bin, "pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "30", "stop"]), directory, CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // Already stopped: nothing to stop.
        }
    }

    /// <summary>
    /// The port of the server running on <paramref name="data"/>, from its <c>postmaster.pid</c> (line 1 the
    /// pid, line 4 the port, line 8 the status); null when it does not run (no file, a stale one, not ready).
    /// </summary>
    private static int? RunningPort(string data)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(data, "postmaster.pid"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        if (lines.Length < 8
            || !int.TryParse(lines[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            || !int.TryParse(lines[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var port)
            || !lines[7].Trim().Equals("ready", StringComparison.Ordinal)
            || !IsAlive(pid))
        {
            return null;
        }

        return port;
    }

    private static bool IsAlive(int pid)
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
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private Task RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(Tool(_binDirectory, tool, arguments), RootDirectory, cancellationToken);

    private static (string FileName, IReadOnlyList<string> Arguments) Tool(string bin, string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(bin, tool);
        return IsRoot ? ("runuser", ["-u", "postgres", "--", path, .. arguments]) : (path, arguments);
    }

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
            "No connection string is configured (ConnectionStrings:Default, the environment variable ConnectionStrings__Default, or --connection), " +
            "so the sample tried to start its own PostgreSQL, but the server binaries (initdb, pg_ctl) were found neither on PATH " +
            "nor in /usr/lib/postgresql/*/bin. Install the PostgreSQL server (e.g. apt-get install postgresql) or configure a connection string.");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StatsCache.LocalPostgres;

/// <summary>
/// A PostgreSQL cluster of our own, started from the server binaries on the machine (as the
/// <c>postgres</c> OS user through <c>runuser</c> when we are root: PostgreSQL refuses to run as root).
/// Two kinds, one start-up (same initdb, same server settings):
/// <list type="bullet">
/// <item><description>
/// Throwaway (<see cref="StartThrowawayAsync"/>, the test fixture and a plain benchmark run): a fresh
/// directory under /tmp, stopped and deleted on dispose, on process exit, and by a detached watchdog if
/// the process dies without either (a killed test host must not leave servers running).
/// </description></item>
/// <item><description>
/// Kept (<see cref="StartOrAttachAsync"/>, the sample's embedded database and the benchmark's
/// <c>--data-dir</c>): a directory that outlives the process, created on first use. A server already
/// running on it (another process, or one an interrupted run left) is attached to through PostgreSQL's
/// own <c>postmaster.pid</c>, which records the port; otherwise it is started on a free port. Dispose
/// stops the server if this process started it (or, with <see cref="KeptClusterOptions.StopWhenAttached"/>,
/// also one it attached to), with a clean shutdown; the data stays.
/// </description></item>
/// </list>
/// Durability is relaxed (fsync off): test, benchmark and demo data, regenerated if ever lost.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    /// <summary>Roles in this group authenticate with a password (scram-sha-256) over TCP; all others are trusted.</summary>
    /// <remarks>Tests of a password-protected role need a server that asks for one, as production does.</remarks>
    public const string PasswordAuthGroup = "statscache_password_auth";

    private const int StartAttempts = 3;
    private static readonly TimeSpan InitDbTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartLockTimeout = TimeSpan.FromSeconds(90);

    // Polls once a second; exits quietly once the cluster directory is gone (normal dispose).
    private const string WatchdogScript = """
        exec </dev/null >/dev/null 2>&1
        while [ -d "/proc/$1" ] && [ -d "$2/data" ]; do sleep 1; done
        if [ -d "$2/data" ]; then "$3" -D "$2/data" -m immediate -w stop; rm -rf "$2"; fi
        """;

    private readonly string _pgCtl;
    private readonly EventHandler? _onProcessExit;
    private readonly bool _stopOnDispose;
    private int _stopped;

    private LocalPostgresCluster(string rootDirectory, string binDirectory, bool throwaway, bool startedHere, bool stopOnDispose)
    {
        RootDirectory = rootDirectory;
        BinDirectory = binDirectory;
        IsThrowaway = throwaway;
        StartedHere = startedHere;
        _stopOnDispose = stopOnDispose;
        _pgCtl = Path.Combine(binDirectory, "pg_ctl");
        _onProcessExit = throwaway ? (_, _) => Stop() : null;
    }

    /// <summary>The directory holding the data directory (<c>data/</c>), the socket and the server log.</summary>
    public string RootDirectory { get; }

    /// <summary>Where initdb and pg_ctl were found.</summary>
    public string BinDirectory { get; }

    public string DataDirectory => Path.Combine(RootDirectory, "data");

    public string LogFile => Path.Combine(RootDirectory, "server.log");

    public int Port { get; private set; }

    /// <summary>A throwaway cluster: deleted when stopped.</summary>
    public bool IsThrowaway { get; }

    /// <summary>Whether this process started the server; false when it found it running and attached to it.</summary>
    public bool StartedHere { get; }

    /// <summary>Whether this start created the cluster (ran initdb); false when the data was already there.</summary>
    public bool Created { get; private set; }

    /// <summary>How long starting (or attaching) took.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Connection string of the admin database (<c>postgres</c>, superuser, trusted over TCP).</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>Connection string of <paramref name="database"/> on this server (superuser <c>postgres</c>).</summary>
    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database}";

    /// <summary>Starts a throwaway cluster in a fresh directory under /tmp.</summary>
    /// <exception cref="InvalidOperationException">The server binaries are missing or the server did not start.</exception>
    public static Task<LocalPostgresCluster> StartThrowawayAsync(CancellationToken cancellationToken = default) =>
        StartThrowawayAsync(new Dictionary<string, string>(), cancellationToken);

    /// <summary>Starts a throwaway cluster in a fresh directory under /tmp, its server with <paramref name="serverSettings"/> (<c>-c name=value</c>).</summary>
    /// <exception cref="InvalidOperationException">The server binaries are missing or the server did not start.</exception>
    public static async Task<LocalPostgresCluster> StartThrowawayAsync(IReadOnlyDictionary<string, string> serverSettings, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var binDirectory = PostgresBinaries.LocateBinDirectory();
        EnsureCanRunAsServerUser();
        var cluster = new LocalPostgresCluster(
            await CreateThrowawayRootAsync(cancellationToken).ConfigureAwait(false), binDirectory, throwaway: true, startedHere: true, stopOnDispose: true);
        try
        {
            await cluster.InitAsync(cancellationToken).ConfigureAwait(false);
            await cluster.StartServerAsync(cancellationToken, serverSettings).ConfigureAwait(false);
            cluster.StartupTime = stopwatch.Elapsed;
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Attaches to the kept cluster in <paramref name="directory"/> if its server runs, else starts it
    /// (creating the cluster on first use). About 1–2 s to start, a few milliseconds to attach. One
    /// process at a time decides (a lock file in the directory), so two started together share one server.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server binaries are missing or the server did not start.</exception>
    public static async Task<LocalPostgresCluster> StartOrAttachAsync(string directory, KeptClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KeptClusterOptions();
        var stopwatch = Stopwatch.StartNew();
        var bin = PostgresBinaries.LocateBinDirectory();
        EnsureCanRunAsServerUser();

        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        await using var startLock = await LockAsync(Path.Combine(root, "start.lock"), cancellationToken).ConfigureAwait(false);

        var data = Path.Combine(root, "data");
        if (RunningPort(data) is { } runningPort)
        {
            return new LocalPostgresCluster(root, bin, throwaway: false, startedHere: false, stopOnDispose: options.StopWhenAttached)
            {
                Port = runningPort,
                StartupTime = stopwatch.Elapsed,
            };
        }

        if (CurrentUser.IsRoot)
        {
            // -R: files a root process left in a kept directory must not lock postgres out.
            await RunCheckedAsync("chown", ["-R", "postgres:postgres", root], root, StopTimeout, cancellationToken).ConfigureAwait(false);
        }

        var cluster = new LocalPostgresCluster(root, bin, throwaway: false, startedHere: true, stopOnDispose: true);
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            if (Directory.Exists(data))
            {
                // A half-made cluster (initdb interrupted): start over.
                Directory.Delete(data, recursive: true);
            }

            await cluster.InitAsync(cancellationToken).ConfigureAwait(false);
            cluster.Created = true;
        }

        await cluster.StartServerAsync(cancellationToken, options.ServerSettings).ConfigureAwait(false);
        cluster.StartupTime = stopwatch.Elapsed;
        return cluster;
    }

    /// <summary>
    /// Stops the server if this object should (see the kinds above); a throwaway cluster is deleted too.
    /// Safe to call more than once, from any thread (also from a ProcessExit handler).
    /// </summary>
    public void Stop()
    {
        if (!_stopOnDispose || Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        if (_onProcessExit is not null)
        {
            AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        }

        if (!IsThrowaway)
        {
            StopServer(BinDirectory, RootDirectory, immediate: false);
            return;
        }

        try
        {
            StopServer(BinDirectory, RootDirectory, immediate: true);
        }
        finally
        {
            TryDeleteDirectory(RootDirectory);
        }
    }

    /// <summary>Stops the server of the cluster in <paramref name="directory"/> if it runs, whoever started it, and deletes the directory.</summary>
    public static void StopAndDelete(string directory)
    {
        StopServer(PostgresBinaries.LocateBinDirectory(), directory, immediate: true);
        TryDeleteDirectory(directory);
    }

    public ValueTask DisposeAsync()
    {
        // pg_ctl stop takes ~0.1 s; running it synchronously keeps one code path for process exit too.
        Stop();
        return ValueTask.CompletedTask;
    }

    private static void EnsureCanRunAsServerUser()
    {
        if (CurrentUser.IsRoot && FindOnPath("runuser") is null)
        {
            throw new InvalidOperationException(
                "Running as root, but 'runuser' (util-linux) is missing: PostgreSQL cannot run as root. Run as another user or give a connection string.");
        }
    }

    private static async Task<string> CreateThrowawayRootAsync(CancellationToken cancellationToken)
    {
        // Short and outside /root: the socket path must stay under 107 bytes and postgres must enter it.
        var parent = Directory.Exists("/tmp") ? "/tmp" : Path.GetTempPath();
        var root = Path.Combine(parent, "scpg-" + Guid.NewGuid().ToString("N")[..10]);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(root);
        }
        else
        {
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (CurrentUser.IsRoot)
        {
            var chown = await ProcessRunner.RunAsync("chown", ["postgres:postgres", root], null, StopTimeout, cancellationToken)
                .ConfigureAwait(false);
            if (!chown.Succeeded)
            {
                Directory.Delete(root, recursive: true);
                throw new InvalidOperationException("Could not hand the cluster directory to the postgres user. " + chown.Describe());
            }
        }

        return root;
    }

    private async Task InitAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsServerUserAsync(
                Path.Combine(BinDirectory, "initdb"),
                ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                InitDbTimeout,
                cancellationToken)
            .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("initdb failed. " + result.Describe());
        }

        // Trust for everyone else (the superuser we connect as), but members of this group must give a
        // password over TCP, as in production: tests of a password-protected role need a server that asks.
        var hba = Path.Combine(DataDirectory, "pg_hba.conf");
        await File.WriteAllTextAsync(
                hba,
                $"host all +{PasswordAuthGroup} 127.0.0.1/32 scram-sha-256\nhost all +{PasswordAuthGroup} ::1/128 scram-sha-256\n" +
                await File.ReadAllTextAsync(hba, cancellationToken).ConfigureAwait(false),
                cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        // A kept cluster may first have to recover a big data directory (the benchmark's 20M messages).
        var waitSeconds = IsThrowaway ? 60 : 120;
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            var options = string.Join(
                ' ',
                "-p", Port.ToString(CultureInfo.InvariantCulture),
                "-k", RootDirectory,
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c timezone=UTC",
                "-c max_connections=200",
                string.Join(' ', (settings ?? new Dictionary<string, string>()).Select(s => $"-c {s.Key}={s.Value}")));

            // Watch before starting, so there is no window in which a dying test host leaks a server.
            if (attempt == 1 && IsThrowaway)
            {
                StartWatchdog();
                AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
            }

            // -l is essential: without it the server inherits pg_ctl's stdout and our reader never sees EOF.
            var result = await RunAsServerUserAsync(
                    _pgCtl,
                    ["-D", DataDirectory, "-l", LogFile, "-w", "-t", waitSeconds.ToString(CultureInfo.InvariantCulture), "-o", options, "start"],
                    TimeSpan.FromSeconds(waitSeconds + 30),
                    cancellationToken)
                .ConfigureAwait(false);
            if (result.Succeeded)
            {
                return;
            }

            var log = ReadLog();
            // The port was free when we looked, but another process may have taken it since.
            var portTaken = log.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                || log.Contains("already in use", StringComparison.OrdinalIgnoreCase);
            if (!portTaken || attempt == StartAttempts)
            {
                throw new InvalidOperationException(
                    $"Local PostgreSQL did not start (attempt {attempt}, port {Port}). {result.Describe()}\n--- {LogFile} ---\n{log}");
            }
        }
    }

    private void StartWatchdog()
    {
        // setsid + background: the watchdog outlives a killed test host and ignores its Ctrl+C.
        var (fileName, arguments) = PostgresBinaries.AsServerUser(
            "/bin/sh",
            "-c",
            """if command -v setsid >/dev/null 2>&1; then setsid sh -c "$1" watchdog "$2" "$3" "$4" & else sh -c "$1" watchdog "$2" "$3" "$4" & fi""",
            "scpg-watchdog",
            WatchdogScript,
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            RootDirectory,
            _pgCtl);
        ProcessRunner.StartDetached(fileName, arguments, RootDirectory);
    }

    /// <summary>
    /// Immediate for a cluster about to be deleted (~0.1 s); fast for kept data, so the server writes a
    /// clean shutdown checkpoint. Nothing to stop (no server, already stopped) is not an error.
    /// </summary>
    private static void StopServer(string bin, string root, bool immediate)
    {
        var data = Path.Combine(root, "data");
        if (!File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            return;
        }

        var (fileName, arguments) = PostgresBinaries.AsServerUser(
            Path.Combine(bin, "pg_ctl"), "-D", data, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60", "stop");
        try
        {
            // Sync-over-async is fine here: this also runs from ProcessExit, where nothing awaits us.
            // The server user must be able to enter the working directory.
            ProcessRunner.RunAsync(fileName, arguments, root, StopTimeout + TimeSpan.FromSeconds(10), CancellationToken.None)
                .GetAwaiter()
                .GetResult();
        }
        catch (InvalidOperationException)
        {
            // pg_ctl could not be started: nothing better to do while stopping.
        }
        catch (TimeoutException)
        {
        }
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // Left for the watchdog, which removes the directory as well.
        }
        catch (UnauthorizedAccessException)
        {
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
            catch (IOException) when (deadline.Elapsed < StartLockTimeout)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private string ReadLog()
    {
        try
        {
            return File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no server log was written)";
        }
        catch (IOException ex)
        {
            return $"(server log unreadable: {ex.Message})";
        }
    }

    private Task<ProcessResult> RunAsServerUserAsync(
        string tool, string[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (fileName, fullArguments) = PostgresBinaries.AsServerUser(tool, arguments);
        // The server user must be able to enter the working directory.
        return ProcessRunner.RunAsync(fileName, fullArguments, RootDirectory, timeout, cancellationToken);
    }

    private static async Task RunCheckedAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(fileName, arguments, workingDirectory, timeout, cancellationToken).ConfigureAwait(false);
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

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>How a kept cluster (<see cref="LocalPostgresCluster.StartOrAttachAsync"/>) behaves.</summary>
public sealed record KeptClusterOptions
{
    /// <summary>
    /// Also stop a server this process found running and attached to. The sample leaves it running (it
    /// belongs to the web app a command attached to); the benchmark stops what an interrupted run left.
    /// </summary>
    public bool StopWhenAttached { get; init; }

    /// <summary>
    /// Server settings (<c>-c name=value</c>) for a server this process starts, e.g. the benchmark's
    /// <c>shared_buffers</c>. A server found running keeps the settings it was started with.
    /// </summary>
    public IReadOnlyDictionary<string, string> ServerSettings { get; init; } = new Dictionary<string, string>();
}

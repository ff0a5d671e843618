using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace StatsCache.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster in a temp directory, for machines without Docker.
/// It is stopped on dispose, on process exit, and by a detached watchdog if the test process dies
/// without either (a killed test host must not leave servers running).
/// </summary>
internal sealed class LocalPostgresCluster : IAsyncDisposable
{
    private const int StartAttempts = 3;
    private static readonly TimeSpan InitDbTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    // Polls once a second; exits quietly once the cluster directory is gone (normal dispose).
    private const string WatchdogScript = """
        exec </dev/null >/dev/null 2>&1
        while [ -d "/proc/$1" ] && [ -d "$2/data" ]; do sleep 1; done
        if [ -d "$2/data" ]; then "$3" -D "$2/data" -m immediate -w stop; rm -rf "$2"; fi
        """;

    private readonly string _pgCtl;
    private readonly EventHandler _onProcessExit;
    private int _stopped;

    private LocalPostgresCluster(string rootDirectory, string binDirectory)
    {
        RootDirectory = rootDirectory;
        BinDirectory = binDirectory;
        _pgCtl = Path.Combine(binDirectory, "pg_ctl");
        _onProcessExit = (_, _) => Stop();
    }

    public string RootDirectory { get; }

    public string BinDirectory { get; }

    public string DataDirectory => Path.Combine(RootDirectory, "data");

    public string LogFile => Path.Combine(RootDirectory, "server.log");

    public int Port { get; private set; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
    }.ConnectionString;

    public static async Task<LocalPostgresCluster> StartAsync(CancellationToken cancellationToken = default)
    {
        var binDirectory = PostgresBinaries.LocateBinDirectory();
        var cluster = new LocalPostgresCluster(await CreateRootDirectoryAsync(cancellationToken).ConfigureAwait(false), binDirectory);
        try
        {
            await cluster.InitAsync(cancellationToken).ConfigureAwait(false);
            await cluster.StartServerAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        // pg_ctl -m immediate takes ~0.1 s; running it synchronously keeps one code path for exit too.
        Stop();
        return ValueTask.CompletedTask;
    }

    private static async Task<string> CreateRootDirectoryAsync(CancellationToken cancellationToken)
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

        // Trust for everyone else (the superuser the tests connect as), but members of this group must give a
        // password over TCP, as in production: tests of a password-protected role need a server that asks.
        var hba = Path.Combine(DataDirectory, "pg_hba.conf");
        await File.WriteAllTextAsync(
                hba,
                $"host all +{PasswordAuthGroup} 127.0.0.1/32 scram-sha-256\nhost all +{PasswordAuthGroup} ::1/128 scram-sha-256\n" +
                await File.ReadAllTextAsync(hba, cancellationToken).ConfigureAwait(false),
                cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Roles in this group authenticate with a password (scram-sha-256) over TCP; all others are trusted.</summary>
    public const string PasswordAuthGroup = "statscache_password_auth";

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
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
                "-c max_connections=200");

            // Watch before starting, so there is no window in which a dying test host leaks a server.
            if (attempt == 1)
            {
                StartWatchdog();
                AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
            }

            // -l is essential: without it the server inherits pg_ctl's stdout and our reader never sees EOF.
            var result = await RunAsServerUserAsync(
                    _pgCtl,
                    ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options, "start"],
                    StartTimeout,
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

    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                // Sync-over-async is fine here: this also runs from ProcessExit, where nothing awaits us.
                RunAsServerUserAsync(_pgCtl, ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], StopTimeout, CancellationToken.None)
                    .GetAwaiter()
                    .GetResult();
            }
        }
        finally
        {
            TryDeleteRoot();
        }
    }

    private void TryDeleteRoot()
    {
        try
        {
            Directory.Delete(RootDirectory, recursive: true);
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

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

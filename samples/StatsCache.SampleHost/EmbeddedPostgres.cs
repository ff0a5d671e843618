using System.Globalization;
using StatsCache.LocalPostgres;

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
/// The cluster itself is the repository's one PostgreSQL launcher (tools/StatsCache.LocalPostgres, a
/// kept cluster), which the tests and the benchmark use too: as root every server binary runs through
/// <c>runuser -u postgres --</c>, and the directory (by default under /var/tmp, which <c>postgres</c> can
/// enter) is owned by <c>postgres</c>. Durability is relaxed (fsync off): it is a demo's data,
/// regenerated if it is ever lost. This class adds what is the sample's: where the data lives by
/// default, the database name and what it tells the user.
/// </para>
/// </remarks>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string Database = "statscache_sample";

    private readonly LocalPostgresCluster _cluster;

    private EmbeddedPostgres(LocalPostgresCluster cluster) => _cluster = cluster;

    /// <summary>
    /// Where the sample keeps its cluster unless told otherwise: <c>/var/tmp/statscache-sample</c> as root
    /// (<c>postgres</c> cannot enter /root), else <c>$XDG_DATA_HOME/statscache-sample</c> (<c>~/.local/share/…</c>).
    /// </summary>
    public static string DefaultDirectory =>
        CurrentUser.IsRoot
            ? "/var/tmp/statscache-sample"
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"),
                "statscache-sample");

    /// <summary>The directory holding the data directory (<c>data/</c>), the socket and the server log.</summary>
    public string RootDirectory => _cluster.RootDirectory;

    public int Port => _cluster.Port;

    /// <summary>Whether this process started the server (and so stops it); false when it found it running.</summary>
    public bool StartedHere => _cluster.StartedHere;

    public string ConnectionString => _cluster.ConnectionStringFor(Database);

    /// <summary>
    /// Attaches to the cluster in <paramref name="directory"/> if it runs, else starts it (creating it
    /// on first use). About 1–2 s to start, a few milliseconds to attach.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server binaries are missing or the server did not start.</exception>
    public static async Task<EmbeddedPostgres> StartOrAttachAsync(string directory, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        if (PostgresBinaries.TryLocateBinDirectory() is null)
        {
            throw new InvalidOperationException(
                "No connection string is configured (ConnectionStrings:Default, the environment variable ConnectionStrings__Default, or --connection), " +
                "so the sample tried to start its own PostgreSQL, but the server binaries (initdb, pg_ctl) were found neither on PATH " +
                "nor in /usr/lib/postgresql/*/bin. Install the PostgreSQL server (e.g. apt-get install postgresql) or configure a connection string.");
        }

        // A server found running belongs to the process that started it (the web app): left running.
        var cluster = await LocalPostgresCluster.StartOrAttachAsync(directory, new KeptClusterOptions { StopWhenAttached = false }, cancellationToken);
        var port = cluster.Port.ToString(CultureInfo.InvariantCulture);
        var milliseconds = ((long)cluster.StartupTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        log?.Invoke(
            !cluster.StartedHere ? $"Using the sample's PostgreSQL already running on 127.0.0.1:{port} (data in {cluster.RootDirectory})."
            : cluster.Created ? $"Created the sample's PostgreSQL in {cluster.RootDirectory} and started it on 127.0.0.1:{port} ({milliseconds} ms); the data is kept for the next run."
            : $"Started the sample's PostgreSQL on 127.0.0.1:{port} with the data kept in {cluster.RootDirectory} ({milliseconds} ms).");
        return new EmbeddedPostgres(cluster);
    }

    /// <summary>Stops the server if this process started it (the data stays). Safe to call more than once, from any thread.</summary>
    public void Stop() => _cluster.Stop();

    /// <summary>Stops the server of <paramref name="directory"/> if it runs, whoever started it, and deletes the directory (tests, a reset).</summary>
    public static void StopAndDelete(string directory) => LocalPostgresCluster.StopAndDelete(directory);

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}

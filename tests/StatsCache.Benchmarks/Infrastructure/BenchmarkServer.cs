using Npgsql;
using StatsCache.LocalPostgres;
using StatsCache.TestSupport.Postgres;

namespace StatsCache.Benchmarks.Infrastructure;

/// <summary>
/// Where the benchmark's database lives, found like the tests find theirs: an explicit
/// <c>--connection</c> or the <c>STATSCACHE_TEST_CONNECTION</c> variable first; else a local cluster —
/// kept in <c>--data-dir</c> when given (reused across runs), otherwise a throwaway one; both from the one
/// launcher (tools/StatsCache.LocalPostgres) the test fixture and the sample host use.
/// The database itself is <c>statscache_bench_&lt;size&gt;</c>, created if missing.
/// </summary>
internal sealed class BenchmarkServer : IAsyncDisposable
{
    public const string ConnectionVariable = PostgresServer.ConnectionVariable;

    private readonly IAsyncDisposable? _owned;

    /// <summary>
    /// What a server the benchmark starts is given beyond the launcher's test settings: shared_buffers at
    /// 25% of RAM, as PostgreSQL's docs advise for a dedicated server. The default 128 MB holds a small
    /// fraction of the reference data's 20M messages and their indexes, so every variant (library and
    /// baselines alike) would be measured reading from the OS cache, which no production server does.
    /// A server found running (or given by --connection) keeps its own; the report shows what it had.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> ServerSettings = new Dictionary<string, string>
    {
        ["shared_buffers"] = $"{Math.Max(128, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 / 1024 / 1024)}MB",
    };

    private BenchmarkServer(string adminConnectionString, string description, IAsyncDisposable? owned)
    {
        AdminConnectionString = adminConnectionString;
        Description = description;
        _owned = owned;
    }

    public string AdminConnectionString { get; }

    public string Description { get; }

    public static async Task<BenchmarkServer> StartAsync(string? connection, string? dataDirectory, Action<string> log, CancellationToken ct)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(connection))
        {
            return new BenchmarkServer(connection, "--connection", null);
        }

        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new BenchmarkServer(fromEnvironment, ConnectionVariable, null);
        }

        if (!string.IsNullOrWhiteSpace(dataDirectory))
        {
            // The reference workload (20M messages) is generated once and reused: the cluster outlives the run.
            // A server an interrupted run left running is used, and stopped like one started here when the run ends.
            var kept = await LocalPostgresCluster.StartOrAttachAsync(dataDirectory, new KeptClusterOptions { StopWhenAttached = true, ServerSettings = ServerSettings }, ct);
            log(kept.StartedHere
                ? $"{(kept.Created ? "created and started" : "started")} the cluster in {kept.RootDirectory} on port {kept.Port}"
                : $"reusing the running cluster in {kept.RootDirectory} on port {kept.Port}");
            return new BenchmarkServer(kept.ConnectionString, $"local cluster kept in {kept.RootDirectory}", kept);
        }

        log("starting a throwaway local cluster");
        var cluster = await LocalPostgresCluster.StartThrowawayAsync(ServerSettings, ct);
        return new BenchmarkServer(cluster.ConnectionString, "throwaway local cluster", cluster);
    }

    /// <summary>Creates the database if missing (or drops it first with <paramref name="fresh"/>) and returns its connection string.</summary>
    public async Task<string> EnsureDatabaseAsync(string name, bool fresh, CancellationToken ct)
    {
        await using var admin = NpgsqlDataSource.Create(AdminConnectionString);
        if (fresh)
        {
            await Db.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", ct);
        }

        var exists = await Db.ScalarAsync<bool>(admin, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @name)", ct, ("name", name));
        if (!exists)
        {
            await Db.ExecuteAsync(admin, $"CREATE DATABASE \"{name}\" TEMPLATE template0", ct);
            await Db.ExecuteAsync(admin, $"ALTER DATABASE \"{name}\" SET timezone TO 'UTC'", ct);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Database = name,
            // Generation statements run for minutes.
            CommandTimeout = 0,
        }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
    }
}

using System.Collections.Concurrent;
using Npgsql;
using StatsCache.LocalPostgres;
using Testcontainers.PostgreSql;

namespace StatsCache.TestSupport.Postgres;

/// <summary>
/// One PostgreSQL server for the test run, found in this order: the
/// <c>STATSCACHE_TEST_CONNECTION</c> environment variable, a Testcontainers container when a
/// Docker engine answers, or a throwaway local cluster started from the PostgreSQL binaries.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string ConnectionVariable = "STATSCACHE_TEST_CONNECTION";
    public const string EnvironmentSource = "environment";
    public const string TestcontainersSource = "testcontainers";
    public const string LocalClusterSource = "local-cluster";

    private const string ContainerImage = "postgres:15-alpine";
    private static readonly TimeSpan ContainerStartTimeout = TimeSpan.FromMinutes(3);

    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<string> _createdDatabases = new();
    private Task? _start;
    private string? _connectionString;
    private string? _source;
    private LocalPostgresCluster? _cluster;
    private PostgreSqlContainer? _container;

    /// <summary>Connection string of the server's admin database (<c>postgres</c>, superuser).</summary>
    public string ConnectionString => _connectionString ?? throw NotStarted();

    /// <summary>Which way the server was obtained: one of the <c>*Source</c> constants.</summary>
    public string Source => _source ?? throw NotStarted();

    /// <summary>Human-readable detail for diagnostics: where the server is and why it was chosen.</summary>
    public string Description { get; private set; } = "not started";

    public Task InitializeAsync() => EnsureStartedAsync();

    /// <summary>Starts (once, thread-safely) the server; later calls share the first attempt.</summary>
    public Task EnsureStartedAsync()
    {
        // A failed start is not retried: every test would otherwise pay its timeout again.
        lock (_gate)
        {
            return _start ??= StartCoreAsync();
        }
    }

    /// <summary>
    /// Creates a fresh, uniquely named database (UTC session time zone) and returns its
    /// connection string, so each test class works on data no other class can see.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken ct = default)
    {
        await EnsureStartedAsync().WaitAsync(ct).ConfigureAwait(false);

        var name = "t_" + Guid.NewGuid().ToString("N");
        var connection = new NpgsqlConnection(ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            // template0: nobody is ever connected to it, so concurrent creates cannot collide.
            await ExecuteAsync(connection, $"CREATE DATABASE \"{name}\" TEMPLATE template0", ct).ConfigureAwait(false);
            _createdDatabases.Enqueue(name);
            // Pinned per database so tests behave the same on a shared server whatever its setting.
            await ExecuteAsync(connection, $"ALTER DATABASE \"{name}\" SET timezone TO 'UTC'", ct).ConfigureAwait(false);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        Task? start;
        lock (_gate)
        {
            start = _start;
        }

        if (start is null)
        {
            return;
        }

        await start.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!start.IsCompletedSuccessfully)
        {
            // A failed start already cleaned up after itself; its error was reported to the tests.
            return;
        }

        if (_source == EnvironmentSource)
        {
            // Someone else's server: leave it as we found it.
            await DropCreatedDatabasesAsync().ConfigureAwait(false);
        }

        if (_container is not null)
        {
            await _container.DisposeAsync().ConfigureAwait(false);
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StartCoreAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            await CheckReachableAsync(fromEnvironment).ConfigureAwait(false);
            Use(EnvironmentSource, fromEnvironment, $"{EnvironmentSource}: {ConnectionVariable}");
            return;
        }

        var containerNote = "testcontainers skipped: no Docker endpoint (DOCKER_HOST socket or /var/run/docker.sock)";
        if (DockerEngine.MightBeAvailable())
        {
            try
            {
                _container = await StartContainerAsync().ConfigureAwait(false);
                Use(TestcontainersSource, _container.GetConnectionString(), $"{TestcontainersSource}: {ContainerImage}");
                return;
            }
#pragma warning disable CA1031 // Any container failure means "no usable Docker": fall through to a local cluster.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                containerNote = $"testcontainers failed: {ex.GetType().Name}: {ex.Message}";
            }
        }

        _cluster = await LocalPostgresCluster.StartThrowawayAsync().ConfigureAwait(false);
        Use(
            LocalClusterSource,
            _cluster.ConnectionString,
            $"{LocalClusterSource}: {_cluster.RootDirectory}, port {_cluster.Port}, binaries {_cluster.BinDirectory} ({containerNote})");
    }

    private static async Task<PostgreSqlContainer> StartContainerAsync()
    {
        var container = new PostgreSqlBuilder(ContainerImage)
            .WithCommand("-c", "timezone=UTC", "-c", "max_connections=200")
            .Build();
        try
        {
            using var timeout = new CancellationTokenSource(ContainerStartTimeout);
            await container.StartAsync(timeout.Token).ConfigureAwait(false);
            return container;
        }
        catch
        {
            await container.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Use(string source, string connectionString, string description)
    {
        _source = source;
        _connectionString = connectionString;
        Description = description;
    }

    private static async Task CheckReachableAsync(string connectionString)
    {
        try
        {
            var connection = new NpgsqlConnection(connectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"{ConnectionVariable} is set but the server does not answer: {ex.Message}", ex);
        }
    }

    private async Task DropCreatedDatabasesAsync()
    {
        // Pooled idle connections into the test databases would block the drop otherwise.
        NpgsqlConnection.ClearAllPools();
        var connection = new NpgsqlConnection(ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            while (_createdDatabases.TryDequeue(out var name))
            {
                await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", CancellationToken.None)
                    .ConfigureAwait(false);
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static InvalidOperationException NotStarted() =>
        new("The PostgreSQL server has not been started; xunit starts it via IAsyncLifetime, or call EnsureStartedAsync.");
}

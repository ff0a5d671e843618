using Npgsql;

namespace StatsCache.CitusTests.Infrastructure;

/// <summary>
/// The Citus cluster named by <c>STATSCACHE_TEST_CITUS</c>: a coordinator (the connection string,
/// a superuser) with workers added. Each test works in a schema of its own, created on every node
/// by Citus and dropped afterwards, so tests share the database without seeing each other's rows.
/// </summary>
public sealed class CitusCluster : IAsyncLifetime
{
    public const string ConnectionVariable = "STATSCACHE_TEST_CITUS";

    /// <summary>
    /// Shards per distributed table: few, since the cluster is small and every test distributes
    /// eight tables; more than one per worker, so teams land on different shards and nodes.
    /// </summary>
    public const int ShardCount = 4;

    private string? _connectionString;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The Citus cluster has not been checked yet.");

    /// <summary>Citus version and the active workers, for the test output.</summary>
    public string Description { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"{ConnectionVariable} is not set: this project runs only against a Citus coordinator.");
        }

        _connectionString = connectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT citus_version(), (SELECT count(*) FROM citus_get_active_worker_nodes())", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var workers = reader.GetInt64(1);
        Description = $"{reader.GetString(0)}; {workers} workers";
        if (workers < 2)
        {
            throw new InvalidOperationException($"{ConnectionVariable}: the coordinator must have at least two workers (has {workers}).");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Creates a fresh schema and returns a connection string whose search path is it (UTC session zone).</summary>
    public async Task<(string Schema, string ConnectionString)> CreateSchemaAsync()
    {
        var schema = "citus_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(ConnectionString, $"CREATE SCHEMA {schema}");
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema, Timezone = "UTC" };
        return (schema, builder.ConnectionString);
    }

    public Task DropSchemaAsync(string schema) => ExecuteAsync(ConnectionString, $"DROP SCHEMA IF EXISTS {schema} CASCADE");

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The layout of docs/scale-out.md: the host's sessions, messages, versions and experiments
    /// distributed by team_id and colocated; our buckets, session rows and first-seen rows
    /// distributed by team_id colocated with them; state, run history and change rows reference
    /// tables. Citus wants every primary key to hold the distribution column, so the host's message
    /// and version keys become (team_id, id), as a multi-tenant host on Citus keys them anyway.
    /// </summary>
    public static string DistributeScript => $"""
        SET citus.shard_count = {ShardCount};
        ALTER TABLE chat_messages DROP CONSTRAINT "PK_chat_messages", ADD PRIMARY KEY (team_id, id);
        ALTER TABLE message_versions DROP CONSTRAINT "PK_message_versions", ADD PRIMARY KEY (team_id, id);
        SELECT create_distributed_table('chat_sessions', 'team_id');
        SELECT create_distributed_table('chat_messages', 'team_id', colocate_with => 'chat_sessions');
        SELECT create_distributed_table('message_versions', 'team_id', colocate_with => 'chat_sessions');
        SELECT create_distributed_table('experiments', 'team_id', colocate_with => 'chat_sessions');
        SELECT create_distributed_table('statscache_experiment_buckets', 'team_id', colocate_with => 'chat_sessions');
        SELECT create_distributed_table('statscache_session_statistics', 'team_id', colocate_with => 'chat_sessions');
        SELECT create_distributed_table('statscache_participant_first_seen', 'team_id', colocate_with => 'chat_sessions');
        SELECT create_distributed_table('statscache_experiment_totals', 'team_id', colocate_with => 'chat_sessions');
        SELECT create_reference_table('statscache_state');
        SELECT create_reference_table('statscache_runs');
        SELECT create_reference_table('statscache_source_changes');
        """;
}

/// <summary>Every Citus test class joins this collection: one cluster check, tests one after another.</summary>
[CollectionDefinition(Name)]
#pragma warning disable CA1711 // xunit collection definitions are conventionally named *Collection.
public sealed class CitusCollection : ICollectionFixture<CitusCluster>
#pragma warning restore CA1711
{
    public const string Name = "citus";
}

using Npgsql;

namespace StatsCache.Maintenance;

/// <summary>
/// A session-level PostgreSQL advisory lock that serialises one cache's maintenance across all
/// processes. Scheduled operations (refresh, compress) try it and skip when another instance holds
/// it — that instance is doing the same work; backfill waits for it. The lock dies with the
/// connection, so a crashed worker never leaves it held.
/// </summary>
internal sealed class MaintenanceLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private MaintenanceLock(NpgsqlConnection connection, long key) => (_connection, _key) = (connection, key);

    public static async Task<MaintenanceLock?> TryAcquireAsync(NpgsqlConnection connection, long key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", key);
        var acquired = (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return acquired ? new MaintenanceLock(connection, key) : null;
    }

    public static async Task<MaintenanceLock> AcquireAsync(NpgsqlConnection connection, long key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", key);
        command.CommandTimeout = 0; // waiting for another instance's backfill is legitimate; cancellation still works
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new MaintenanceLock(connection, key);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.State != System.Data.ConnectionState.Open)
        {
            return; // the backend is gone, and its lock with it
        }

        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
            command.Parameters.AddWithValue("key", _key);
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // A broken connection releases the lock by itself; closing it is all that is left.
        }
    }
}

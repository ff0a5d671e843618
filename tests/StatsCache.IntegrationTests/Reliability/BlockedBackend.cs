using Npgsql;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// Puts a maintenance call deterministically "in the middle": a test transaction holds a lock the
/// call needs after it has already written, the call's backend is found waiting in pg_stat_activity,
/// and is then terminated (the database going away) or the call is cancelled.
/// </summary>
public static class BlockedBackend
{
    /// <summary>Waits until a backend of the cache (by application name) waits for a lock; returns its pid.</summary>
    public static async Task<int> WaitForBlockedCacheBackendAsync(NpgsqlDataSource db, Task call)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (call.IsCompleted)
            {
                await call; // surfaces why it did not block
                throw new InvalidOperationException("The call completed without ever blocking on the held lock.");
            }

            await using var command = db.CreateCommand("""
                SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = @app AND wait_event_type = 'Lock'
                LIMIT 1
                """);
            command.Parameters.AddWithValue("app", CacheInstance.MaintenanceApplication);
            if (await command.ExecuteScalarAsync(timeout.Token) is int pid)
            {
                return pid;
            }

            await Task.Delay(5, timeout.Token);
        }
    }

    /// <summary>The lock modes a backend holds (granted) on one of our tables: proof it has written there in its open transaction.</summary>
    public static async Task<IReadOnlyList<string>> GrantedModesAsync(NpgsqlDataSource db, int pid, string table)
    {
        await using var command = db.CreateCommand("""
            SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE l.pid = @pid AND l.granted AND c.relname = @table
            """);
        command.Parameters.AddWithValue("pid", pid);
        command.Parameters.AddWithValue("table", table);
        var modes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            modes.Add(reader.GetString(0));
        }

        return modes;
    }

    public static async Task TerminateAsync(NpgsqlDataSource db, int pid)
    {
        await using var command = db.CreateCommand("SELECT pg_terminate_backend(@pid)");
        command.Parameters.AddWithValue("pid", pid);
        (await command.ExecuteScalarAsync()).Should().Be(true);
    }

    /// <summary>Opens a transaction that row-locks the cache's state row (every maintenance transaction updates it last).</summary>
    public static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> LockStateRowAsync(NpgsqlDataSource db)
    {
        var connection = await db.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("SELECT 1 FROM statscache_state WHERE cache_name = 'default' FOR UPDATE", connection, transaction);
        (await command.ExecuteScalarAsync()).Should().Be(1, "the state row exists once the cache has run");
        return (connection, transaction);
    }
}

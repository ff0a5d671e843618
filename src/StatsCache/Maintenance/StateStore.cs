using Npgsql;
using NpgsqlTypes;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>Reads and writes the cache's bookkeeping row and run history.</summary>
internal static class StateStore
{
    /// <summary>
    /// The state row, created if missing. Every maintenance operation starts here, so this is where a
    /// cache built in another reporting time zone is refused, before anything is written.
    /// </summary>
    /// <exception cref="InvalidOperationException">The cache was built in another time zone than the configured one, or its tables hold another cache.</exception>
    public static async Task<CacheState> LoadAsync(NpgsqlConnection connection, CacheSql sql, string cacheName, DateTime now, int commandTimeout, CancellationToken cancellationToken)
    {
        await Sources.SourceColumnCheck.RequireAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        await CacheSharingGuard.ClaimAsync(connection, sql, cacheName, now, cancellationToken).ConfigureAwait(false);
        await using (var batch = new NpgsqlBatch(connection) { Timeout = commandTimeout })
        {
            foreach (var text in new[] { StateSql.Ensure(sql), StateSql.AdoptZoneWhileEmpty(sql) })
            {
                var command = new NpgsqlBatchCommand(text);
                command.Parameters.AddWithValue("cache", cacheName);
                command.Parameters.AddWithValue("zone", sql.TimeZone.Id);
                command.Parameters.AddWithValue("now", now);
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var state = await ReadAsync(connection, sql, cacheName, cancellationToken, commandTimeout).ConfigureAwait(false)
            ?? throw new InvalidOperationException("StatsCache: the state row vanished right after it was created.");
        CacheTimeZoneGuard.Require(state.TimeZone, sql.TimeZone, cacheName);
        await TimeZoneAgreement.RequireAsync(connection, sql.TimeZone, now, cancellationToken).ConfigureAwait(false);
        return state;
    }

    public static async Task<CacheState?> ReadAsync(NpgsqlConnection connection, CacheSql sql, string cacheName, CancellationToken cancellationToken, int? commandTimeout = null)
    {
        await using var command = new NpgsqlCommand(StateSql.Read(sql), connection);
        if (commandTimeout is { } seconds)
        {
            command.CommandTimeout = seconds;
        }

        command.Parameters.AddWithValue("cache", cacheName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new CacheState
        {
            CacheName = cacheName,
            Watermark = reader.IsDBNull(0) ? null : reader.GetDateTime(0),
            DailyFrom = reader.IsDBNull(1) ? null : reader.GetDateTime(1),
            HourlyFrom = reader.IsDBNull(2) ? null : reader.GetDateTime(2),
            BackfillRequestedFrom = reader.IsDBNull(3) ? null : reader.GetDateTime(3),
            BackfillExperiments = reader.IsDBNull(4) ? null : reader.GetFieldValue<long[]>(4),
            BackfillTo = reader.IsDBNull(5) ? null : reader.GetDateTime(5),
            BackfillDoneUntil = reader.IsDBNull(6) ? null : reader.GetDateTime(6),
            TimeZone = reader.GetString(7),
        };
    }

    public static NpgsqlBatchCommand Advance(CacheSql sql, string cacheName, DateTime? watermark, DateTime? dailyFrom, DateTime? hourlyFrom, DateTime now)
    {
        var command = new NpgsqlBatchCommand(StateSql.Advance(sql));
        command.Parameters.AddWithValue("cache", cacheName);
        command.Parameters.Add(Timestamp("watermark", watermark));
        command.Parameters.Add(Timestamp("daily_from", dailyFrom));
        command.Parameters.Add(Timestamp("hourly_from", hourlyFrom));
        command.Parameters.AddWithValue("now", now);
        return command;
    }

    public static NpgsqlBatchCommand RecordRun(CacheSql sql, string cacheName, string operation, DateTime startedAt, TimeSpan duration, long rowsWritten, string detail)
    {
        var command = new NpgsqlBatchCommand(StateSql.RecordRun(sql));
        command.Parameters.AddWithValue("cache", cacheName);
        command.Parameters.AddWithValue("operation", operation);
        command.Parameters.AddWithValue("started_at", startedAt);
        command.Parameters.AddWithValue("duration_ms", duration.TotalMilliseconds);
        command.Parameters.AddWithValue("rows_written", rowsWritten);
        command.Parameters.AddWithValue("detail", detail);
        return command;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, int commandTimeout, CancellationToken cancellationToken, params NpgsqlBatchCommand[] commands)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = commandTimeout };
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static NpgsqlParameter Timestamp(string name, DateTime? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? v : DBNull.Value };
}

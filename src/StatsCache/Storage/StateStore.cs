using Npgsql;
using NpgsqlTypes;
using StatsCache.Sql;

namespace StatsCache.Storage;

/// <summary>
/// The owner of the cache's state row (watermark, retention cut-offs, backfill progress, reporting zone) and of
/// the run history: every statement on them is sent, and the row decoded, here. Maintenance loads the row through
/// <c>MaintenanceState</c> (which adds its start checks), the status read and the series read send <see cref="Read"/>
/// in their own batch and decode it with <see cref="ReadRowAsync"/>, and the health check reads it with <see cref="ReadAsync"/>.
/// </summary>
internal static class StateStore
{
    /// <summary>
    /// Creates the state row if missing (recording the configured zone) and, while nothing is built, adopts the
    /// configured zone: the first statements of every maintenance operation (<c>MaintenanceState.LoadAsync</c>).
    /// </summary>
    public static async Task EnsureAsync(NpgsqlConnection connection, CacheSql sql, string cacheName, DateTime now, int commandTimeout, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection) { Timeout = commandTimeout };
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

    /// <summary>The read of the state row, to send in a reader's own batch; decode its result with <see cref="ReadRowAsync"/>.</summary>
    public static NpgsqlBatchCommand Read(CacheSql sql, string cacheName) =>
        new(StateSql.Read(sql)) { Parameters = { new NpgsqlParameter("cache", cacheName) } };

    public static async Task<StateRow?> ReadAsync(NpgsqlConnection connection, CacheSql sql, string cacheName, CancellationToken cancellationToken, int? commandTimeout = null)
    {
        await using var command = new NpgsqlCommand(StateSql.Read(sql), connection);
        if (commandTimeout is { } seconds)
        {
            command.CommandTimeout = seconds;
        }

        command.Parameters.AddWithValue("cache", cacheName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadRowAsync(reader, cacheName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Decodes the result of <see cref="StateSql.Read"/> at the reader's current result set: the state row, or null
    /// when the cache has none. The one place that knows the row's columns.
    /// </summary>
    public static async Task<StateRow?> ReadRowAsync(NpgsqlDataReader reader, string cacheName, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new StateRow
        {
            CacheName = cacheName,
            Watermark = reader.IsDBNull(0) ? null : reader.GetDateTime(0),
            DailyFrom = reader.IsDBNull(1) ? null : reader.GetDateTime(1),
            HourlyFrom = reader.IsDBNull(2) ? null : reader.GetDateTime(2),
            BackfillRequestedFrom = reader.IsDBNull(3) ? null : reader.GetDateTime(3),
            BackfillExperiments = reader.IsDBNull(4) ? null : reader.GetValue(4) as Array, // long[], int[] or Guid[]: the column's type
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

    /// <summary>A backfill starts: its plan (requested start, experiments, end, progress so far) goes in the row, so an interrupted one resumes.</summary>
    public static NpgsqlBatchCommand StartBackfill(CacheSql sql, string cacheName, DateTime? requestedFrom, Array? experiments, DateTime to, DateTime doneUntil, DateTime now)
    {
        var command = new NpgsqlBatchCommand(StateSql.StartBackfill(sql));
        command.Parameters.AddWithValue("cache", cacheName);
        command.Parameters.Add(Timestamp("requested_from", requestedFrom));
        command.Parameters.Add(KeyArrays.Parameter("experiments", experiments, sql.Keys.Experiment));
        command.Parameters.AddWithValue("to", to);
        command.Parameters.AddWithValue("done_until", doneUntil);
        command.Parameters.AddWithValue("now", now);
        return command;
    }

    /// <summary>A backfill chunk committed: the backfill is done until <paramref name="doneUntil"/>.</summary>
    public static NpgsqlBatchCommand BackfillProgress(CacheSql sql, string cacheName, DateTime doneUntil, DateTime now)
    {
        var command = new NpgsqlBatchCommand(StateSql.BackfillProgress(sql));
        command.Parameters.AddWithValue("cache", cacheName);
        command.Parameters.AddWithValue("done_until", doneUntil);
        command.Parameters.AddWithValue("now", now);
        return command;
    }

    /// <summary>A backfill finished: its plan leaves the row.</summary>
    public static NpgsqlBatchCommand FinishBackfill(CacheSql sql, string cacheName, DateTime now)
    {
        var command = new NpgsqlBatchCommand(StateSql.FinishBackfill(sql));
        command.Parameters.AddWithValue("cache", cacheName);
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

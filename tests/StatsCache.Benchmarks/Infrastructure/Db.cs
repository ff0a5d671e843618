using Npgsql;

namespace StatsCache.Benchmarks.Infrastructure;

/// <summary>Thin helpers over Npgsql for the benchmark's own statements (values always as parameters).</summary>
internal static class Db
{
    /// <summary>Generation and index builds run for minutes; no statement of ours should time out.</summary>
    public const int NoTimeout = 0;

    public static async Task<int> ExecuteAsync(NpgsqlDataSource db, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(db, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(db, sql, parameters);
        var value = await command.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs a query and drains its rows, returning how many: what a page load pays for.</summary>
    public static async Task<int> DrainAsync(NpgsqlDataSource db, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(db, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = 0;
        while (await reader.ReadAsync(ct))
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            rows++;
        }

        return rows;
    }

    public static NpgsqlCommand Command(NpgsqlDataSource db, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = db.CreateCommand(sql);
        command.CommandTimeout = NoTimeout;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}

using Npgsql;

namespace StatsCache.BrowserTests;

/// <summary>A chatbot's numbers as the source tables give them: what the pages must show.</summary>
public sealed record LiveChatbot(long Id, string Name, long Sessions, long Participants, long HumanMessages);

/// <summary>The statistics straight from the host's tables, with the correlated sub-queries the cache replaces.</summary>
public static class LiveSql
{
    public static async Task<IReadOnlyList<LiveChatbot>> ChatbotsAsync(string connectionString, long teamId, string? nameContains = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT e.id, e.name,
                   (SELECT count(*) FROM experiment_sessions AS s WHERE s.team_id = e.team_id AND s.experiment_id = e.id),
                   (SELECT count(DISTINCT s.participant_id) FROM experiment_sessions AS s WHERE s.team_id = e.team_id AND s.experiment_id = e.id),
                   (SELECT count(*) FROM chat_messages AS m WHERE m.team_id = e.team_id AND m.experiment_id = e.id AND m.is_human)
            FROM experiments AS e
            WHERE e.team_id = @team AND (@search::text IS NULL OR e.name ILIKE '%' || @search || '%')
            ORDER BY e.id
            """, connection);
        command.Parameters.AddWithValue("team", teamId);
        command.Parameters.Add(new NpgsqlParameter("search", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)nameContains ?? DBNull.Value });
        var rows = new List<LiveChatbot>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new LiveChatbot(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        }

        return rows;
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
#pragma warning disable CA2100 // Test SQL, constants of the tests.
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

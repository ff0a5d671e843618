using Npgsql;

namespace StatsCache.IntegrationTests.Host;

/// <summary>Writes host rows straight into the host tables (the cache only ever reads them).</summary>
public sealed class HostData(NpgsqlDataSource db)
{
    private long _nextSession = 1;

    public async Task<long> AddSessionAsync(long team, long experiment, long? participant, DateTime createdAt, NpgsqlConnection? connection = null, NpgsqlTransaction? transaction = null)
    {
        var id = Interlocked.Increment(ref _nextSession);
        await using var command = connection is null ? db.CreateCommand() : new NpgsqlCommand { Connection = connection, Transaction = transaction };
        command.CommandText = "INSERT INTO chat_sessions (id, team_id, experiment_id, participant_id, created_at) VALUES (@id, @team, @experiment, @participant, @at)";
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("team", team);
        command.Parameters.AddWithValue("experiment", experiment);
        command.Parameters.AddWithValue("participant", (object?)participant ?? DBNull.Value);
        command.Parameters.AddWithValue("at", createdAt);
        await command.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary>Adds one message per given time to a session (one statement), each tagged with the version if given.</summary>
    public async Task AddMessagesAsync(long team, long experiment, long session, IReadOnlyList<DateTime> times, bool human = true, string? version = null, NpgsqlConnection? connection = null, NpgsqlTransaction? transaction = null)
    {
        await using var command = connection is null ? db.CreateCommand() : new NpgsqlCommand { Connection = connection, Transaction = transaction };
        command.CommandText = """
            WITH inserted AS (
                INSERT INTO chat_messages (team_id, experiment_id, session_id, is_human, created_at)
                SELECT @team, @experiment, @session, @human, t FROM unnest(@times) AS t
                RETURNING id, created_at
            )
            INSERT INTO message_versions (session_id, version_label, created_at)
            SELECT @session, @version, created_at FROM inserted WHERE @version IS NOT NULL
            """;
        command.Parameters.AddWithValue("team", team);
        command.Parameters.AddWithValue("experiment", experiment);
        command.Parameters.AddWithValue("session", session);
        command.Parameters.AddWithValue("human", human);
        command.Parameters.AddWithValue("times", times.ToArray());
        command.Parameters.Add(new NpgsqlParameter("version", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)version ?? DBNull.Value });
        await command.ExecuteNonQueryAsync();
    }

    public Task AddMessagesAsync(long team, long experiment, long session, DateTime at, int count, string? version = null) =>
        AddMessagesAsync(team, experiment, session, Enumerable.Repeat(at, count).ToList(), true, version);
}

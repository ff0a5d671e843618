using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Npgsql;

namespace StatsCache.TestSupport.Host;

/// <summary>Writes host rows straight into the host tables (the cache only ever reads them).</summary>
/// <remarks>
/// With <see cref="HostShape.TeamScopedIds"/> every team numbers its sessions from the same start
/// (team 1 and team 2 both get session 2, 3, …) and version tags carry their team. Ids are the
/// harness's <c>long</c>s; each is written in the host's type of its kind (<paramref name="keys"/>,
/// default <see cref="HostKeys.Int64"/>).
/// </remarks>
public sealed class HostData(NpgsqlDataSource db, HostShape shape = HostShape.GlobalSessionIds, HostKeys? keys = null)
{
    private readonly ConcurrentDictionary<long, StrongBox<long>> _nextSession = new();
    private readonly HostKeys _keys = keys ?? HostKeys.Int64;

    public HostShape Shape => shape;

    public HostKeys Keys => _keys;

    public async Task<long> AddSessionAsync(long team, long experiment, long? participant, DateTime createdAt, NpgsqlConnection? connection = null, NpgsqlTransaction? transaction = null)
    {
        var counter = _nextSession.GetOrAdd(shape == HostShape.TeamScopedIds ? team : 0, _ => new StrongBox<long>(1));
        var id = Interlocked.Increment(ref counter.Value);
        await AddSessionAsync(id, team, experiment, participant, createdAt, connection, transaction);
        return id;
    }

    /// <summary>A session with a given id (e.g. the same id in two teams).</summary>
    public async Task AddSessionAsync(long id, long team, long experiment, long? participant, DateTime createdAt, NpgsqlConnection? connection = null, NpgsqlTransaction? transaction = null)
    {
        await using var command = connection is null ? db.CreateCommand() : new NpgsqlCommand { Connection = connection, Transaction = transaction };
        command.CommandText = "INSERT INTO chat_sessions (id, team_id, experiment_id, participant_id, created_at) VALUES (@id, @team, @experiment, @participant, @at)";
        command.Parameters.AddWithValue("id", _keys.Session.Box(id));
        command.Parameters.AddWithValue("team", _keys.Team.Box(team));
        command.Parameters.AddWithValue("experiment", _keys.Experiment.Box(experiment));
        command.Parameters.AddWithValue("participant", participant is { } p ? _keys.Participant.Box(p) : DBNull.Value);
        command.Parameters.AddWithValue("at", createdAt);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Adds one message per given time to a session (one statement), each tagged with the version if given;
    /// with <paramref name="tokens"/> (one per time, null for unknown) the messages' <c>tokens</c> column is written too.
    /// </summary>
    public async Task AddMessagesAsync(long team, long experiment, long session, IReadOnlyList<DateTime> times, bool human = true, string? version = null, NpgsqlConnection? connection = null, NpgsqlTransaction? transaction = null, IReadOnlyList<int?>? tokens = null)
    {
        if (tokens is not null && tokens.Count != times.Count)
        {
            throw new ArgumentException($"{tokens.Count} token values for {times.Count} messages", nameof(tokens));
        }

        var (teamColumn, teamValue) = shape == HostShape.TeamScopedIds ? ("team_id, ", "@team, ") : ("", "");
        // Only a host that has the column is told about it (the tokens of a host without measures stay unwritten).
        var (tokensColumn, tokensValue, tokensSource) = tokens is null ? ("", "", "unnest(@times) AS x(t)") : (", tokens", ", x.k", "unnest(@times, @tokens) AS x(t, k)");
        await using var command = connection is null ? db.CreateCommand() : new NpgsqlCommand { Connection = connection, Transaction = transaction };
        command.CommandText = $"""
            WITH inserted AS (
                INSERT INTO chat_messages (team_id, experiment_id, session_id, is_human, created_at{tokensColumn})
                SELECT @team, @experiment, @session, @human, x.t{tokensValue} FROM {tokensSource}
                RETURNING id, created_at
            )
            INSERT INTO message_versions ({teamColumn}session_id, version_label, created_at)
            SELECT {teamValue}@session, @version, created_at FROM inserted WHERE @version IS NOT NULL
            """;
        command.Parameters.AddWithValue("team", _keys.Team.Box(team));
        command.Parameters.AddWithValue("experiment", _keys.Experiment.Box(experiment));
        command.Parameters.AddWithValue("session", _keys.Session.Box(session));
        command.Parameters.AddWithValue("human", human);
        command.Parameters.AddWithValue("times", times.ToArray());
        command.Parameters.Add(new NpgsqlParameter("version", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)version ?? DBNull.Value });
        if (tokens is not null)
        {
            command.Parameters.Add(new NpgsqlParameter("tokens", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer) { Value = tokens.ToArray() });
        }

        await command.ExecuteNonQueryAsync();
    }

    public Task AddMessagesAsync(long team, long experiment, long session, DateTime at, int count, string? version = null) =>
        AddMessagesAsync(team, experiment, session, Enumerable.Repeat(at, count).ToList(), true, version);
}

using Npgsql;

namespace StatsCache.TestSupport.Host;

/// <summary>
/// The numbers computed live from the host's tables, the way a dashboard does it today with
/// sub-queries: the oracle every cached statistic is compared to. The relations default to the
/// host's tables; an oracle that also counts archived rows passes its own. A session's messages
/// are those of its team and id; its version tags those of its id and, where tags carry a team
/// (<see cref="HostShape.TeamScopedIds"/>), of its team.
/// </summary>
/// <param name="db">The host's database.</param>
/// <param name="sessions">Relation with id, team_id, experiment_id, participant_id, created_at.</param>
/// <param name="humanMessages">Relation with team_id, experiment_id, session_id, created_at of human messages.</param>
/// <param name="versions">Relation with team_id (NULL where tags carry no team), session_id, version_label, created_at; default <see cref="GlobalVersionsOf"/> the keys.</param>
/// <param name="keys">
/// The host's key types (default <see cref="HostKeys.Int64"/>): the SQL is the same for every type; the
/// team parameter is passed, and the ids read back, through them, so results are keyed by the harness's ids.
/// </param>
public sealed class LiveStatistics(
    NpgsqlDataSource db,
    string sessions = "(SELECT id, team_id, experiment_id, participant_id, created_at FROM chat_sessions)",
    string humanMessages = "(SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human)",
    string? versions = null,
    HostKeys? keys = null)
{
    /// <summary>Version tags of the <see cref="HostShape.GlobalSessionIds"/> long-keyed host: no team.</summary>
    public const string GlobalVersions = "(SELECT NULL::bigint AS team_id, session_id, version_label, created_at FROM message_versions)";

    /// <summary>Version tags of the <see cref="HostShape.TeamScopedIds"/> host: with their team.</summary>
    public const string TeamScopedVersions = "(SELECT team_id, session_id, version_label, created_at FROM message_versions)";

    private readonly HostKeys _keys = keys ?? HostKeys.Int64;
    private readonly string _versions = versions ?? GlobalVersionsOf(keys ?? HostKeys.Int64);

    /// <summary>Version tags of the <see cref="HostShape.GlobalSessionIds"/> host: no team (a NULL of the host's team type).</summary>
    public static string GlobalVersionsOf(HostKeys keys) => $"(SELECT NULL::{keys.Team.SqlType} AS team_id, session_id, version_label, created_at FROM message_versions)";

    /// <summary>The live SQL over the host tables of a shape.</summary>
    public static LiveStatistics For(NpgsqlDataSource db, HostShape shape, HostKeys? keys = null) => shape == HostShape.TeamScopedIds
        ? new LiveStatistics(db, versions: TeamScopedVersions, keys: keys)
        : new LiveStatistics(db, keys: keys);

    /// <summary>Per experiment of the team: sessions, distinct participants, human messages, last activity — over rows before <paramref name="before"/>.</summary>
    public async Task<Dictionary<long, ExperimentStats>> ExperimentsAsync(long team, DateTime before)
    {
        await using var command = db.CreateCommand($"""
            WITH s AS MATERIALIZED {sessions}, m AS MATERIALIZED {humanMessages}
            SELECT e.experiment_id,
                   (SELECT count(*) FROM s WHERE s.team_id = @team AND s.experiment_id = e.experiment_id AND s.created_at < @before),
                   (SELECT count(DISTINCT s.participant_id) FROM s WHERE s.team_id = @team AND s.experiment_id = e.experiment_id AND s.created_at < @before),
                   (SELECT count(*) FROM m WHERE m.team_id = @team AND m.experiment_id = e.experiment_id AND m.created_at < @before),
                   (SELECT max(m.created_at) FROM m WHERE m.team_id = @team AND m.experiment_id = e.experiment_id AND m.created_at < @before)
            FROM (SELECT experiment_id FROM s WHERE team_id = @team UNION SELECT experiment_id FROM m WHERE team_id = @team) AS e
            """);
        command.Parameters.AddWithValue("team", _keys.Team.Box(team));
        command.Parameters.AddWithValue("before", before);
        var result = new Dictionary<long, ExperimentStats>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = _keys.Experiment.Read(reader, 0);
            result[id] = new ExperimentStats { SessionCount = reader.GetInt64(1), ParticipantCount = reader.GetInt64(2), HumanMessageCount = reader.GetInt64(3), LastActivity = reader.IsDBNull(4) ? null : reader.GetDateTime(4) };
        }

        return result;
    }

    /// <summary>Per session of the team: human messages, last activity and sorted distinct versions before <paramref name="before"/>.</summary>
    public async Task<Dictionary<long, SessionStats>> SessionsAsync(long team, DateTime before)
    {
        await using var command = db.CreateCommand($"""
            WITH s AS MATERIALIZED {sessions}, m AS MATERIALIZED {humanMessages}, v AS MATERIALIZED {_versions}
            SELECT s.id,
                   (SELECT count(*) FROM m WHERE m.team_id = s.team_id AND m.session_id = s.id AND m.created_at < @before),
                   (SELECT max(m.created_at) FROM m WHERE m.team_id = s.team_id AND m.session_id = s.id AND m.created_at < @before),
                   coalesce((SELECT array_agg(DISTINCT v.version_label COLLATE "C" ORDER BY v.version_label COLLATE "C") FROM v
                             WHERE coalesce(v.team_id, s.team_id) = s.team_id AND v.session_id = s.id AND v.created_at < @before), ARRAY[]::text[])
            FROM s WHERE s.team_id = @team
            """);
        command.Parameters.AddWithValue("team", _keys.Team.Box(team));
        command.Parameters.AddWithValue("before", before);
        var result = new Dictionary<long, SessionStats>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            // Every session has a row, with its versions even without a human message.
            var id = _keys.Session.Read(reader, 0);
            result[id] = new SessionStats { HumanMessageCount = reader.GetInt64(1), LastActivity = reader.IsDBNull(2) ? null : reader.GetDateTime(2), Versions = reader.GetFieldValue<string[]>(3) };
        }

        return result;
    }
}

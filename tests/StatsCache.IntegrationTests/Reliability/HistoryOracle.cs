using Npgsql;
using StatsCache.IntegrationTests.Host;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// The live SQL the cache must agree with, over the rows the chosen
/// <see cref="DeletionSemantics"/> says still count: under <see cref="DeletionSemantics.KeepHistory"/>
/// the host's tables plus an archive of every row a retention purge removed (history is kept),
/// under <see cref="DeletionSemantics.Mirror"/> the host's tables alone. Purges go through
/// <see cref="PurgeSessionsAsync"/> so the archive always holds exactly what was removed. The SQL is
/// the same for every key type; ids pass in and come back through <see cref="Keys"/>. With
/// <paramref name="measures"/> the host declares its measures (bot messages, tokens used), and the oracle computes
/// them over the same rows (source, or source ∪ archive).
/// </summary>
public sealed class HistoryOracle(NpgsqlDataSource db, DeletionSemantics semantics, HostShape shape = HostShape.GlobalSessionIds, HostKeys? keys = null, bool measures = false)
{
    private readonly HostKeys _keys = keys ?? HostKeys.Int64;

    public DeletionSemantics Semantics => semantics;

    /// <summary>The host's key types.</summary>
    public HostKeys Keys => _keys;

    /// <summary>How the host keys its rows: with <see cref="HostShape.TeamScopedIds"/> teams share ids.</summary>
    public HostShape Shape => shape;

    /// <summary>Whether the host declares its measures (<see cref="HostWiring.DeclareMeasures"/>) and the oracle computes them.</summary>
    public bool Measures => measures;

    /// <summary>Creates the archive tables (same columns as the host's) once per database.</summary>
    public async Task EnsureArchiveAsync()
    {
        await using var command = db.CreateCommand("""
            CREATE TABLE IF NOT EXISTS reliability_archive_sessions (LIKE chat_sessions);
            CREATE TABLE IF NOT EXISTS reliability_archive_messages (LIKE chat_messages);
            CREATE TABLE IF NOT EXISTS reliability_archive_versions (LIKE message_versions);
            """);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Empties host, cache and archive tables so the next history starts from nothing.</summary>
    public async Task ResetAsync()
    {
        await using var command = db.CreateCommand("""
            TRUNCATE chat_sessions, chat_messages, message_versions,
                     reliability_archive_sessions, reliability_archive_messages, reliability_archive_versions,
                     statscache_experiment_buckets, statscache_experiment_totals, statscache_session_statistics, statscache_participant_first_seen,
                     statscache_state, statscache_runs, statscache_source_changes,
                     statscache_experiment_measure_buckets, statscache_experiment_measures, statscache_session_measures, statscache_measures
            """);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A retention purge of whole sessions (the session, its messages and its version tags), the way a
    /// host removes old raw data. Under <see cref="DeletionSemantics.KeepHistory"/> the removed rows go
    /// to the archive, which the oracle keeps reading.
    /// </summary>
    /// <remarks>
    /// <paramref name="team"/> picks the team's sessions where ids are unique only within a team; it
    /// must be given for <see cref="HostShape.TeamScopedIds"/>.
    /// </remarks>
    public async Task PurgeSessionsAsync(IReadOnlyCollection<long> sessionIds, long? team = null)
    {
        if (shape == HostShape.TeamScopedIds && team is null)
        {
            throw new ArgumentNullException(nameof(team), "session ids are unique only within a team");
        }

        var keep = semantics == DeletionSemantics.KeepHistory;
        string Move(string table, string key, string archive, bool hasTeam)
        {
            var where = $"{key} = ANY(@ids)" + (hasTeam && team is not null ? " AND team_id = @team" : "");
            return keep
                ? $"WITH d AS (DELETE FROM {table} WHERE {where} RETURNING *) INSERT INTO {archive} SELECT * FROM d;"
                : $"DELETE FROM {table} WHERE {where};";
        }

        await using var command = db.CreateCommand(
            Move("message_versions", "session_id", "reliability_archive_versions", shape == HostShape.TeamScopedIds)
            + Move("chat_messages", "session_id", "reliability_archive_messages", true)
            + Move("chat_sessions", "id", "reliability_archive_sessions", true));
        command.Parameters.AddWithValue("ids", _keys.Session.BoxMany(sessionIds));
        command.Parameters.AddWithValue("team", team is { } t ? _keys.Team.Box(t) : DBNull.Value);
        await command.ExecuteNonQueryAsync();
    }

    private string Sessions => semantics == DeletionSemantics.KeepHistory
        ? "(SELECT id, team_id, experiment_id, participant_id, created_at FROM chat_sessions UNION ALL SELECT id, team_id, experiment_id, participant_id, created_at FROM reliability_archive_sessions)"
        : "(SELECT id, team_id, experiment_id, participant_id, created_at FROM chat_sessions)";

    private string HumanMessages => semantics == DeletionSemantics.KeepHistory
        ? "(SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human UNION ALL SELECT team_id, experiment_id, session_id, created_at FROM reliability_archive_messages WHERE is_human)"
        : "(SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human)";

    /// <summary>Every message (human or not, with its tokens) that counts: the rows of the host's measures.</summary>
    private string AllMessages => semantics == DeletionSemantics.KeepHistory
        ? "(SELECT team_id, experiment_id, session_id, is_human, tokens, created_at FROM chat_messages UNION ALL SELECT team_id, experiment_id, session_id, is_human, tokens, created_at FROM reliability_archive_messages)"
        : LiveStatistics.AllMessages;

    private string VersionTeam => shape == HostShape.TeamScopedIds ? "team_id" : $"NULL::{_keys.Team.SqlType} AS team_id";

    private string Versions => semantics == DeletionSemantics.KeepHistory
        ? $"(SELECT {VersionTeam}, session_id, version_label, created_at FROM message_versions UNION ALL SELECT {VersionTeam}, session_id, version_label, created_at FROM reliability_archive_versions)"
        : $"(SELECT {VersionTeam}, session_id, version_label, created_at FROM message_versions)";

    /// <summary>Per experiment of the team: sessions, distinct participants, human messages, last activity — over rows before <paramref name="before"/>.</summary>
    public Task<Dictionary<long, ExperimentStats>> ExperimentsAsync(long team, DateTime before) => Live.ExperimentsAsync(team, before);

    /// <summary>Per session of the team: human messages, last activity and sorted distinct versions before <paramref name="before"/>.</summary>
    public Task<Dictionary<long, SessionStats>> SessionsAsync(long team, DateTime before) => Live.SessionsAsync(team, before);

    /// <summary>The live SQL over the rows these semantics count.</summary>
    private LiveStatistics Live => new(db, Sessions, HumanMessages, Versions, _keys, measures ? LiveStatistics.HostMeasuresOver(AllMessages) : null);
}

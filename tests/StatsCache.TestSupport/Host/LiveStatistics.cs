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
/// <param name="measures">
/// The host's declared measures as live SQL (default none): every experiment and session then has an entry per
/// measure in its <c>Measures</c>, the count or sum over the measure's rows of its team and id before the time asked.
/// </param>
public sealed class LiveStatistics(
    NpgsqlDataSource db,
    string sessions = "(SELECT id, team_id, experiment_id, participant_id, created_at FROM chat_sessions)",
    string humanMessages = "(SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human)",
    string? versions = null,
    HostKeys? keys = null,
    IReadOnlyList<LiveMeasure>? measures = null)
{
    /// <summary>All the host's messages with their tokens: the rows of the host's measures (<see cref="HostMeasuresOver"/>).</summary>
    public const string AllMessages = "(SELECT team_id, experiment_id, session_id, is_human, tokens, created_at FROM chat_messages)";

    private readonly IReadOnlyList<LiveMeasure> _measures = measures ?? [];

    /// <summary>The measures this oracle computes (empty: none declared).</summary>
    public IReadOnlyList<LiveMeasure> Measures => _measures;

    /// <summary>
    /// The live SQL of the measures <see cref="HostWiring.DeclareMeasures"/> declares, over <paramref name="messages"/> (a
    /// relation with team_id, experiment_id, session_id, is_human, tokens, created_at; default the host's table): the number
    /// of non-human messages, and the sum of all messages' tokens (nulls add nothing).
    /// </summary>
    public static IReadOnlyList<LiveMeasure> HostMeasuresOver(string messages = AllMessages) =>
    [
        new(HostWiring.BotMessages, MeasureAggregate.Count, $"(SELECT x.team_id, x.experiment_id, x.session_id, x.created_at FROM {messages} AS x WHERE NOT x.is_human)"),
        new(HostWiring.TokensUsed, MeasureAggregate.Sum, $"(SELECT x.team_id, x.experiment_id, x.session_id, x.created_at, x.tokens AS value FROM {messages} AS x)"),
    ];

    /// <summary>Version tags of the <see cref="HostShape.GlobalSessionIds"/> long-keyed host: no team.</summary>
    public const string GlobalVersions = "(SELECT NULL::bigint AS team_id, session_id, version_label, created_at FROM message_versions)";

    /// <summary>Version tags of the <see cref="HostShape.TeamScopedIds"/> host: with their team.</summary>
    public const string TeamScopedVersions = "(SELECT team_id, session_id, version_label, created_at FROM message_versions)";

    private readonly HostKeys _keys = keys ?? HostKeys.Int64;
    private readonly string _versions = versions ?? GlobalVersionsOf(keys ?? HostKeys.Int64);

    /// <summary>Version tags of the <see cref="HostShape.GlobalSessionIds"/> host: no team (a NULL of the host's team type).</summary>
    public static string GlobalVersionsOf(HostKeys keys) => $"(SELECT NULL::{keys.Team.SqlType} AS team_id, session_id, version_label, created_at FROM message_versions)";

    /// <summary>The live SQL over the host tables of a shape; with <paramref name="measures"/>, of the host's measures too (<see cref="HostMeasuresOver"/>).</summary>
    public static LiveStatistics For(NpgsqlDataSource db, HostShape shape, HostKeys? keys = null, bool measures = false) => shape == HostShape.TeamScopedIds
        ? new LiveStatistics(db, versions: TeamScopedVersions, keys: keys, measures: measures ? HostMeasuresOver() : null)
        : new LiveStatistics(db, keys: keys, measures: measures ? HostMeasuresOver() : null);

    /// <summary>The measures' CTEs (<c>, q0 AS MATERIALIZED (…)</c>, …): one per measure, named q0, q1, … in order.</summary>
    private string MeasureCtes => string.Concat(_measures.Select((m, i) => $", q{i} AS MATERIALIZED {m.Relation}"));

    /// <summary>One scalar sub-query per measure over its rows matching <paramref name="match"/> (with <c>q</c> the measure's alias), before @before.</summary>
    private string MeasureColumns(Func<string, string> match) =>
        string.Concat(_measures.Select((m, i) => $",\n       (SELECT {m.Aggregated($"q{i}")} FROM q{i} WHERE {match($"q{i}")} AND q{i}.created_at < @before)"));

    /// <summary>
    /// The measures of a row. Only set where measures are declared: without them the results keep the library's shared
    /// empty dictionary, so they stay equal (record equality) to what the cache returns.
    /// </summary>
    private Dictionary<string, long> ReadMeasures(NpgsqlDataReader reader, int first)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < _measures.Count; i++)
        {
            values[_measures[i].Name] = reader.GetInt64(first + i);
        }

        return values;
    }

    /// <summary>Per experiment of the team: sessions, distinct participants, human messages, last activity — over rows before <paramref name="before"/>.</summary>
    public async Task<Dictionary<long, ExperimentStats>> ExperimentsAsync(long team, DateTime before)
    {
        await using var command = db.CreateCommand($"""
            WITH s AS MATERIALIZED {sessions}, m AS MATERIALIZED {humanMessages}{MeasureCtes}
            SELECT e.experiment_id,
                   (SELECT count(*) FROM s WHERE s.team_id = @team AND s.experiment_id = e.experiment_id AND s.created_at < @before),
                   (SELECT count(DISTINCT s.participant_id) FROM s WHERE s.team_id = @team AND s.experiment_id = e.experiment_id AND s.created_at < @before),
                   (SELECT count(*) FROM m WHERE m.team_id = @team AND m.experiment_id = e.experiment_id AND m.created_at < @before),
                   (SELECT max(m.created_at) FROM m WHERE m.team_id = @team AND m.experiment_id = e.experiment_id AND m.created_at < @before){MeasureColumns(q => $"{q}.team_id = @team AND {q}.experiment_id = e.experiment_id")}
            FROM (SELECT experiment_id FROM s WHERE team_id = @team UNION SELECT experiment_id FROM m WHERE team_id = @team{string.Concat(_measures.Select((_, i) => $" UNION SELECT experiment_id FROM q{i} WHERE team_id = @team"))}) AS e
            """);
        command.Parameters.AddWithValue("team", _keys.Team.Box(team));
        command.Parameters.AddWithValue("before", before);
        var result = new Dictionary<long, ExperimentStats>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = _keys.Experiment.Read(reader, 0);
            result[id] = new ExperimentStats { SessionCount = reader.GetInt64(1), ParticipantCount = reader.GetInt64(2), HumanMessageCount = reader.GetInt64(3), LastActivity = reader.IsDBNull(4) ? null : reader.GetDateTime(4) };
            if (_measures.Count > 0)
            {
                result[id] = result[id] with { Measures = ReadMeasures(reader, 5) };
            }
        }

        return result;
    }

    /// <summary>Per session of the team: human messages, last activity and sorted distinct versions before <paramref name="before"/>.</summary>
    public async Task<Dictionary<long, SessionStats>> SessionsAsync(long team, DateTime before)
    {
        await using var command = db.CreateCommand($"""
            WITH s AS MATERIALIZED {sessions}, m AS MATERIALIZED {humanMessages}, v AS MATERIALIZED {_versions}{MeasureCtes}
            SELECT s.id,
                   (SELECT count(*) FROM m WHERE m.team_id = s.team_id AND m.session_id = s.id AND m.created_at < @before),
                   (SELECT max(m.created_at) FROM m WHERE m.team_id = s.team_id AND m.session_id = s.id AND m.created_at < @before),
                   coalesce((SELECT array_agg(DISTINCT v.version_label COLLATE "C" ORDER BY v.version_label COLLATE "C") FROM v
                             WHERE coalesce(v.team_id, s.team_id) = s.team_id AND v.session_id = s.id AND v.created_at < @before), ARRAY[]::text[]){MeasureColumns(q => $"{q}.team_id = s.team_id AND {q}.session_id = s.id")}
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
            if (_measures.Count > 0)
            {
                result[id] = result[id] with { Measures = ReadMeasures(reader, 4) };
            }
        }

        return result;
    }
}

/// <summary>
/// A host-declared measure as the live SQL computes it: <paramref name="Relation"/> is a parenthesised SELECT with
/// team_id, experiment_id, session_id, created_at and, for a <see cref="MeasureAggregate.Sum"/>, value.
/// </summary>
public sealed record LiveMeasure(string Name, MeasureAggregate Aggregate, string Relation)
{
    /// <summary>The aggregate over rows aliased <paramref name="alias"/>: count(*), or the sum of value (0 when none), as bigint.</summary>
    public string Aggregated(string alias) => Aggregate == MeasureAggregate.Sum ? $"coalesce(sum({alias}.value), 0)::bigint" : "count(*)";
}

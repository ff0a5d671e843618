using System.Globalization;
using Npgsql;
using StatsCache.Benchmarks.Infrastructure;

namespace StatsCache.Benchmarks.Workload;

/// <summary>
/// Appends one more hour of realistic traffic, set-based: as many new sessions and messages as the
/// average hour of the previous 24 hours, new sessions copying the experiment (and mostly the
/// participant) of sessions sampled from those 24 hours, messages spread over the sessions active in
/// the last three hours. Each call gets its own fresh hour, recorded in <c>bench_meta</c>.
/// </summary>
internal sealed class TrafficGenerator(NpgsqlDataSource db, WorkloadSize size, DateTime workloadStart, DateTime workloadEnd)
{
    private const string Sql = """
        INSERT INTO chat_sessions (id, team_id, experiment_id, participant_id, created_at)
        SELECT (SELECT coalesce(max(id), 0) FROM chat_sessions) + row_number() OVER (ORDER BY x.created_at),
               x.team_id, x.experiment_id, x.participant_id, x.created_at
        FROM (
            SELECT t.team_id, t.experiment_id,
                   CASE WHEN random() < 0.3 THEN t.team_id + @teams * floor(random() * (@participants / @teams))::bigint
                        ELSE t.participant_id END AS participant_id,
                   @from + random() * interval '1 hour' AS created_at
            FROM (SELECT team_id, experiment_id, participant_id FROM chat_sessions
                  WHERE created_at >= @from - interval '24 hours' AND created_at < @from
                  ORDER BY random()
                  LIMIT (SELECT count(*) / 24 FROM chat_sessions WHERE created_at >= @from - interval '24 hours' AND created_at < @from)) AS t
        ) AS x;

        INSERT INTO chat_messages (id, team_id, experiment_id, session_id, is_human, created_at)
        SELECT (SELECT coalesce(max(id), 0) FROM chat_messages) + row_number() OVER (ORDER BY y.created_at),
               y.team_id, y.experiment_id, y.session_id, y.is_human, y.created_at
        FROM (
            SELECT s.team_id, s.experiment_id, s.id AS session_id, m.is_human,
                   greatest(s.created_at, @from) + random() * (@to - greatest(s.created_at, @from)) AS created_at
            FROM (
                SELECT a.ids[1 + floor(random() * cardinality(a.ids))::int] AS session_id, random() < 0.5 AS is_human
                FROM (SELECT array_agg(id) AS ids FROM chat_sessions WHERE created_at >= @from - interval '3 hours' AND created_at < @to) AS a,
                     generate_series(1, (SELECT count(*) / 24 FROM chat_messages WHERE created_at >= @from - interval '24 hours' AND created_at < @from)::int)
                WHERE cardinality(a.ids) > 0
            ) AS m
            JOIN chat_sessions AS s ON s.id = m.session_id
        ) AS y
        WHERE y.created_at < @to;

        INSERT INTO message_versions (id, message_id, session_id, version, created_at)
        SELECT (SELECT coalesce(max(id), 0) FROM message_versions) + row_number() OVER (), m.id, m.session_id,
               'v' || (1 + floor(extract(epoch FROM m.created_at - @start) / @span * 5 + random() * 0.8))::int, m.created_at
        FROM chat_messages AS m
        WHERE m.created_at >= @from AND m.created_at < @to AND NOT m.is_human AND random() < 0.33;

        INSERT INTO bench_meta (key, value) VALUES ('traffic_until', @to_text)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;

        SELECT count(*) FILTER (WHERE is_human) FROM chat_messages WHERE created_at >= @from AND created_at < @to;
        """;

    /// <summary>Where the data ends now: the generated end, or the last appended hour.</summary>
    public async Task<DateTime> DataEndAsync(CancellationToken ct)
    {
        var text = await Db.ScalarAsync<string?>(db, "SELECT value FROM bench_meta WHERE key = 'traffic_until'", ct);
        return text is null ? workloadEnd : DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    /// <summary>Generates traffic in [from, from + 1 h); returns the human messages it added.</summary>
    public async Task<long> AppendHourAsync(DateTime from, CancellationToken ct)
    {
        var to = from.AddHours(1);
        await using var command = Db.Command(
            db,
            Sql,
            ("teams", size.Teams),
            ("participants", size.Participants),
            ("from", from),
            ("to", to),
            ("start", workloadStart),
            ("span", (workloadEnd - workloadStart).TotalSeconds),
            ("to_text", to.ToString("O", CultureInfo.InvariantCulture)));
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}

using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using StatsCache.SampleHost.Data;

namespace StatsCache.SampleHost;

/// <summary>
/// Fills an empty database with Open-Chat-Studio-like data: one set-based statement per table
/// (generate_series and random(), never a row-by-row loop), so scale 10 takes seconds, not minutes.
/// </summary>
/// <remarks>
/// At scale 1: 3 teams, 120 experiments (40 a team: more than one chatbots page of 25), 2,000
/// participants, 20,000 sessions and 200,000 messages (about half from the human) over the last 90
/// days, skewed toward recent days and toward a few busy experiments, plus version labels on about a
/// third of the bot messages. The last tenth of the experiments never had a session, as chatbots
/// that were set up and never used: they show the zeros of a LEFT JOIN and sort last.
/// Ids are dense (1..n) because the tables start empty; the sequences are moved past them.
/// </remarks>
public sealed partial class DataGenerator(SampleDbContext db, ILogger<DataGenerator> logger)
{
    public const int Teams = 3;

    /// <summary>Generates the data unless the host's tables already hold some. Returns whether it did.</summary>
    public async Task<bool> GenerateIfEmptyAsync(double scale, CancellationToken cancellationToken = default)
    {
        if (await db.Teams.AnyAsync(cancellationToken))
        {
            return false;
        }

        if (!double.IsFinite(scale) || scale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "Sample:Scale must be a positive number.");
        }

        var experiments = Math.Max(Teams, (int)Math.Round(120 * scale));
        var activeExperiments = Math.Max(1, (int)Math.Round(experiments * 0.9));
        var participants = Math.Max(Teams, (int)Math.Round(2_000 * scale));
        var sessions = Math.Max(1, (int)Math.Round(20_000 * scale));
        var messages = Math.Max(1, (int)Math.Round(200_000 * scale));
        var total = Stopwatch.StartNew();
        LogStarting(logger, scale);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        await ExecuteAsync("teams", """
            INSERT INTO teams (id, name)
            SELECT t, (ARRAY['Acme Support', 'Globex Health', 'Initech Learning'])[1 + (t - 1) % 3] || CASE WHEN t > 3 THEN ' ' || t ELSE '' END
            FROM generate_series(1, @teams) AS t
            """, cancellationToken, ("teams", Teams));

        // Experiment e belongs to team 1 + (e - 1) % teams.
        await ExecuteAsync("experiments", """
            INSERT INTO experiments (id, team_id, name)
            SELECT e, 1 + (e - 1) % @teams,
                   (ARRAY['Onboarding bot', 'FAQ assistant', 'Triage bot', 'Tutor', 'Survey bot', 'Coach', 'Helpdesk', 'Sales assistant', 'Feedback bot', 'Navigator'])[1 + (e - 1) / @teams % 10]
                   || ' #' || e
            FROM generate_series(1, @experiments) AS e
            """, cancellationToken, ("teams", Teams), ("experiments", experiments));

        // Participant p belongs to team 1 + (p - 1) % teams, like experiments.
        await ExecuteAsync("participants", """
            INSERT INTO participants (id, team_id, identifier)
            SELECT p, 1 + (p - 1) % @teams, 'user' || p || '@example.org'
            FROM generate_series(1, @participants) AS p
            """, cancellationToken, ("teams", Teams), ("participants", participants));

        // A few experiments get most sessions (power skew on the experiment; only the active ones
        // get any), recent days get more
        // than old ones (power skew on the age); 5% of sessions are anonymous. The participant is
        // drawn from the experiment's team: team t owns participants t, t + teams, t + 2·teams, …
        // Ids ascend with time, as they would in a live system.
        await ExecuteAsync("experiment_sessions", """
            INSERT INTO experiment_sessions (id, team_id, experiment_id, participant_id, created_at)
            SELECT row_number() OVER (ORDER BY s.created_at), s.team_id, s.experiment_id, s.participant_id, s.created_at
            FROM (
                SELECT x.team_id, x.experiment_id,
                       CASE WHEN random() < 0.05 THEN NULL
                            ELSE x.team_id + @teams * floor(random() * ((@participants - x.team_id) / @teams + 1))::bigint END AS participant_id,
                       now() - interval '90 days' * power(random(), 1.6) AS created_at
                FROM (
                    -- random() in a select list keeps PostgreSQL from inlining (and re-rolling) it.
                    SELECT e.experiment_id, 1 + (e.experiment_id - 1) % @teams AS team_id
                    FROM (
                        SELECT 1 + floor(power(random(), 2) * @active)::bigint AS experiment_id
                        FROM generate_series(1, @sessions)
                    ) AS e
                ) AS x
            ) AS s
            ORDER BY s.created_at
            """, cancellationToken, ("teams", Teams), ("participants", participants), ("sessions", sessions), ("active", activeExperiments));

        // Messages land in a random session within three hours of its start (and before now);
        // about half are from the human. Inserted in time order, like a live system appends them.
        await ExecuteAsync("chat_messages", """
            INSERT INTO chat_messages (id, team_id, experiment_id, session_id, is_human, created_at)
            SELECT row_number() OVER (ORDER BY t.created_at), t.team_id, t.experiment_id, t.session_id, t.is_human, t.created_at
            FROM (
                SELECT s.team_id, s.experiment_id, s.id AS session_id, m.is_human,
                       s.created_at + least(interval '3 hours', now() - s.created_at) * power(random(), 3) AS created_at
                FROM (
                    SELECT 1 + floor(random() * @sessions)::bigint AS session_id, random() < 0.5 AS is_human
                    FROM generate_series(1, @messages)
                ) AS m
                JOIN experiment_sessions AS s ON s.id = m.session_id
            ) AS t
            ORDER BY t.created_at
            """, cancellationToken, ("sessions", sessions), ("messages", messages));

        // About a third of the bot replies carry the chatbot version that answered; versions move
        // forward over time (v1 90 days ago … v4 in the last weeks), with some overlap.
        await ExecuteAsync("message_versions", """
            INSERT INTO message_versions (message_id, session_id, created_at, version)
            SELECT m.id, m.session_id, m.created_at,
                   'v' || greatest(1, least(4, 4 - floor(extract(epoch FROM now() - m.created_at) / 86400 / 25 + random() * 0.8)::int))
            FROM chat_messages AS m
            WHERE NOT m.is_human AND random() < 0.33
            """, cancellationToken);

        // Explicit ids bypassed the identity sequences: move them past the data.
        await db.Database.ExecuteSqlRawAsync("""
            SELECT setval(pg_get_serial_sequence('teams', 'id'), (SELECT max(id) FROM teams)),
                   setval(pg_get_serial_sequence('experiments', 'id'), (SELECT max(id) FROM experiments)),
                   setval(pg_get_serial_sequence('participants', 'id'), (SELECT max(id) FROM participants)),
                   setval(pg_get_serial_sequence('experiment_sessions', 'id'), (SELECT max(id) FROM experiment_sessions)),
                   setval(pg_get_serial_sequence('chat_messages', 'id'), (SELECT max(id) FROM chat_messages))
            """, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("ANALYZE", cancellationToken);
        LogGenerated(logger, scale, Teams, experiments, participants, sessions, messages, total.ElapsedMilliseconds);
        return true;
    }

    private async Task ExecuteAsync(string table, string sql, CancellationToken cancellationToken, params (string Name, int Value)[] parameters)
    {
        var stopwatch = Stopwatch.StartNew();
        var npgsqlParameters = parameters.Select(p => (object)new Npgsql.NpgsqlParameter(p.Name, p.Value)).ToArray();
        var rows = await db.Database.ExecuteSqlRawAsync(sql, npgsqlParameters, cancellationToken);
        LogTable(logger, table, rows, stopwatch.ElapsedMilliseconds);
    }

    [LoggerMessage(9010, LogLevel.Information, "Generating sample data into an empty database (scale {Scale})")]
    private static partial void LogStarting(ILogger logger, double scale);

    [LoggerMessage(9011, LogLevel.Information, "  {Table}: {Rows} rows in {ElapsedMs} ms")]
    private static partial void LogTable(ILogger logger, string table, int rows, long elapsedMs);

    [LoggerMessage(9012, LogLevel.Information, "Generated sample data (scale {Scale}): {Teams} teams, {Experiments} experiments, {Participants} participants, {Sessions} sessions, {Messages} messages in {ElapsedMs} ms")]
    private static partial void LogGenerated(ILogger logger, double scale, int teams, int experiments, int participants, int sessions, int messages, long elapsedMs);
}

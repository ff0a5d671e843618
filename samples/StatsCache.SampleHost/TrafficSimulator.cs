using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using StatsCache.SampleHost.Data;

namespace StatsCache.SampleHost;

/// <summary><c>Sample:Simulator</c>: the traffic simulator that keeps the dashboard moving.</summary>
public sealed class TrafficSimulatorOptions
{
    /// <summary>Write traffic in the background (on in the sample's appsettings.json, off when not configured).</summary>
    public bool Enabled { get; set; }

    /// <summary>How often it writes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this many new sessions a write (0 to this, each with its first human message).</summary>
    public int MaxSessions { get; set; } = 2;

    /// <summary>At most this many messages a write into recent sessions (about half from the human).</summary>
    public int MaxMessages { get; set; } = 10;

    /// <summary>The chance that a write also adds a late message: one stamped up to <see cref="MaxLateness"/> in the past.</summary>
    public double LateChance { get; set; } = 0.1;

    /// <summary>How late a late message can be; within the refresh look-back (15 min) the next refresh still counts it.</summary>
    public TimeSpan MaxLateness { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>What one write added.</summary>
public sealed record TrafficWrite(int Sessions, int Messages, int HumanMessages, DateTime? LateMessageAt);

/// <summary>
/// Writes what a live chatbot platform would: new sessions (each with its first human message),
/// messages in recent sessions, a version label on about a third of the bot replies, and now and then
/// a message that arrives late (stamped minutes in the past, as a queued or retried write would be).
/// Each write is a few set-based statements in one transaction; the cache only ever sees the tables.
/// </summary>
public sealed partial class TrafficSimulator(IServiceScopeFactory scopes, IOptions<TrafficSimulatorOptions> options, TimeProvider time, ILogger<TrafficSimulator> logger)
{
    private readonly Lock _gate = new();
    private long _writes;
    private long _sessions;
    private long _messages;
    private long _late;
    private DateTime? _lastWriteAt;

    public TrafficSimulatorOptions Options => options.Value;

    /// <summary>Totals since start, for the pages' banner.</summary>
    public (long Writes, long Sessions, long Messages, long Late, DateTime? LastWriteAt) Totals
    {
        get
        {
            lock (_gate)
            {
                return (_writes, _sessions, _messages, _late, _lastWriteAt);
            }
        }
    }

    /// <summary>One write with random amounts within the options.</summary>
    public Task<TrafficWrite> WriteAsync(CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var late = Random.Shared.NextDouble() < o.LateChance;
        return WriteAsync(Random.Shared.Next(0, o.MaxSessions + 1), Random.Shared.Next(1, o.MaxMessages + 1), late ? o.MaxLateness * (0.2 + (0.8 * Random.Shared.NextDouble())) : null, cancellationToken);
    }

    /// <summary>One write of exactly these amounts (tests, and the random write above).</summary>
    /// <param name="lateBy">Also add one human message stamped this long ago (into a session older than that); null for none.</param>
    public async Task<TrafficWrite> WriteAsync(int sessions, int messages, TimeSpan? lateBy, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        var now = time.GetUtcNow().UtcDateTime;

        // New sessions in the active chatbots (the last tenth never had one and stays unused), busy ones
        // more often; the participant is one of the team's (5% anonymous). Each starts with a human message.
        var newSessions = sessions <= 0 ? 0 : await ScalarAsync(connection, """
            WITH pick AS (
                SELECT 1 + floor(power(random(), 2) * greatest(1, floor(0.9 * (SELECT max(id) FROM experiments))))::bigint AS experiment_id
                FROM generate_series(1, @sessions)
            ), s AS (
                INSERT INTO experiment_sessions (team_id, experiment_id, participant_id, created_at)
                SELECT e.team_id, e.id,
                       CASE WHEN random() < 0.05 THEN NULL
                            ELSE (SELECT p.id FROM participants AS p WHERE p.team_id = e.team_id ORDER BY random() LIMIT 1) END,
                       @now
                FROM pick JOIN experiments AS e ON e.id = pick.experiment_id
                RETURNING id, team_id, experiment_id, created_at
            ), m AS (
                INSERT INTO chat_messages (team_id, experiment_id, session_id, is_human, created_at)
                SELECT team_id, experiment_id, id, true, created_at FROM s
                RETURNING 1
            )
            SELECT count(*) FROM m
            """, cancellationToken, ("sessions", sessions), ("now", now));

        // Messages in the 40 newest sessions, about half from the human; a third of the bot's replies carry the current version.
        var (written, human) = messages <= 0 ? (0, 0) : await PairAsync(connection, """
            WITH m AS (
                INSERT INTO chat_messages (team_id, experiment_id, session_id, is_human, created_at)
                SELECT s.team_id, s.experiment_id, s.id, r.is_human, @now
                FROM (SELECT random() < 0.5 AS is_human, floor(random() * 40)::int AS skip FROM generate_series(1, @messages)) AS r
                CROSS JOIN LATERAL (
                    SELECT id, team_id, experiment_id FROM experiment_sessions ORDER BY id DESC OFFSET r.skip LIMIT 1
                ) AS s
                RETURNING id, session_id, is_human, created_at
            ), v AS (
                INSERT INTO message_versions (message_id, session_id, created_at, version)
                SELECT id, session_id, created_at, 'v4' FROM m WHERE NOT is_human AND random() < 0.33
                RETURNING 1
            )
            SELECT count(*), count(*) FILTER (WHERE is_human) FROM m
            """, cancellationToken, ("messages", messages), ("now", now));

        // A late message: stamped in the past, into a session that had already started by then.
        DateTime? lateAt = null;
        if (lateBy is { } by)
        {
            lateAt = now - by;
            var lateRows = await ScalarAsync(connection, """
                WITH m AS (
                    INSERT INTO chat_messages (team_id, experiment_id, session_id, is_human, created_at)
                    SELECT s.team_id, s.experiment_id, s.id, true, @at
                    FROM (SELECT id, team_id, experiment_id FROM experiment_sessions WHERE created_at <= @at ORDER BY created_at DESC LIMIT 20) AS s
                    ORDER BY random()
                    LIMIT 1
                    RETURNING 1
                )
                SELECT count(*) FROM m
                """, cancellationToken, ("at", lateAt.Value));
            if (lateRows == 0)
            {
                lateAt = null;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        var write = new TrafficWrite(newSessions, newSessions + written + (lateAt is null ? 0 : 1), newSessions + human + (lateAt is null ? 0 : 1), lateAt);
        lock (_gate)
        {
            _writes++;
            _sessions += write.Sessions;
            _messages += write.Messages;
            _late += lateAt is null ? 0 : 1;
            _lastWriteAt = now;
        }

        LogWrote(logger, write.Sessions, write.Messages, write.HumanMessages, lateAt);
        return write;
    }

    private static async Task<int> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<(int, int)> PairAsync(DbConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // The SQL is a constant of this class; values go in as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, value));
        }

        return command;
    }

    [LoggerMessage(9001, LogLevel.Debug, "Traffic simulator wrote {Sessions} sessions and {Messages} messages ({Human} human); late message at {LateAt:O}")]
    private static partial void LogWrote(ILogger logger, int sessions, int messages, int human, DateTime? lateAt);
}

/// <summary>Runs the <see cref="TrafficSimulator"/> every <see cref="TrafficSimulatorOptions.Interval"/> while the web app runs.</summary>
internal sealed partial class TrafficSimulatorService(TrafficSimulator simulator, TimeProvider time, ILogger<TrafficSimulatorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = simulator.Options;
        LogStarted(logger, o.Interval, o.MaxSessions, o.MaxMessages, o.LateChance, o.MaxLateness);
        using var timer = new PeriodicTimer(o.Interval < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : o.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await simulator.WriteAsync(stoppingToken);
                }
                catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
                {
                    // A failed write (the database restarting, say) is skipped; the next one tries again.
                    LogFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(9000, LogLevel.Information, "Traffic simulator on (Sample:Simulator): a write every {Interval}, up to {Sessions} new sessions and {Messages} messages each, a late message (up to {MaxLateness} late) with chance {LateChance}")]
    private static partial void LogStarted(ILogger logger, TimeSpan interval, int sessions, int messages, double lateChance, TimeSpan maxLateness);

    [LoggerMessage(9002, LogLevel.Warning, "Traffic simulator: a write failed; the next one tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

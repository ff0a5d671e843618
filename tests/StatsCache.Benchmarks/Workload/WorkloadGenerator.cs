using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StatsCache.Benchmarks.Infrastructure;

namespace StatsCache.Benchmarks.Workload;

/// <summary>
/// Generates a workload with set-based SQL only (generate_series and random(); no row ever passes
/// through this process). Resumable: each step is one transaction recorded in <c>bench_meta</c>, so
/// an interrupted generation continues with the step it was in, and a complete one is reused.
/// </summary>
/// <remarks>
/// Shape: experiment e belongs to team 1 + (e − 1) % teams; sessions pick their experiment by a
/// power law (the largest gets ≈ 1/8 of all sessions) and their time from an exponential growth
/// over the period (recent hours ≈ 4× the average); 5% are anonymous, the rest pick a participant
/// of the experiment's team. Messages land in a uniformly random session within three hours of
/// its start (so they follow its popularity and recency), about half from the human; a third of
/// the bot messages carry a version label that moves forward over time.
/// </remarks>
internal sealed class WorkloadGenerator(NpgsqlDataSource db, WorkloadSize size, Action<string> log)
{
    /// <summary>How far before generation the data ends.</summary>
    private static readonly TimeSpan EndBehindNow = TimeSpan.FromDays(7);

    /// <summary>The scenarios need this much room between the data's end and the database's clock.</summary>
    private static readonly TimeSpan MinimumEndBehindNow = TimeSpan.FromDays(3);

    /// <summary>The instant the generated data ends (exclusive), fixed when generation first starts.</summary>
    public async Task<DateTime> GenerateOrReuseAsync(CancellationToken ct)
    {
        await Db.ExecuteAsync(db, WorkloadSchema.Tables, ct);
        var recordedSize = await MetaAsync("size", ct);
        if (recordedSize is not null && recordedSize != size.Name)
        {
            throw new InvalidOperationException($"The database holds the '{recordedSize}' workload, not '{size.Name}'; use --fresh or another database.");
        }

        if (recordedSize is null)
        {
            // Generation time floored to the hour, a week back: the data covers [end − months, end). The
            // scenarios move the host's clock up to two days past the end (compression), and maintenance
            // never runs ahead of the database's clock, so the end must lie far enough behind it.
            var now = DateTime.UtcNow;
            var anchor = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).Add(-EndBehindNow);
            await SetMetaAsync("size", size.Name, ct);
            await SetMetaAsync("end", anchor.ToString("O", CultureInfo.InvariantCulture), ct);
        }

        var end = DateTime.Parse((await MetaAsync("end", ct))!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        if (end > DateTime.UtcNow - MinimumEndBehindNow)
        {
            throw new InvalidOperationException(
                $"The stored workload ends at {end:O}, less than {MinimumEndBehindNow.TotalDays:0} days before now: the scenarios' clock would run ahead of the " +
                "database's, which maintenance never follows (compression would roll up nothing). Regenerate it with --fresh.");
        }

        var start = end.AddMonths(-size.Months);
        var span = (end - start).TotalSeconds;
        var total = Stopwatch.StartNew();

        await StepAsync("teams", """
            TRUNCATE teams, experiments, participants;
            INSERT INTO teams (id, name) SELECT t, 'Team ' || t FROM generate_series(1, @teams) AS t;
            INSERT INTO experiments (id, team_id, name)
            SELECT e, 1 + (e - 1) % @teams, 'Chatbot #' || e FROM generate_series(1, @experiments) AS e;
            INSERT INTO participants (id, team_id, identifier)
            SELECT p, 1 + (p - 1) % @teams, 'user' || p || '@example.org' FROM generate_series(1, @participants) AS p;
            """, ct, ("teams", size.Teams), ("experiments", size.Experiments), ("participants", size.Participants));

        // random() in a sub-select's list keeps PostgreSQL from inlining (and re-rolling) it.
        await StepAsync("sessions", """
            TRUNCATE chat_sessions;
            INSERT INTO chat_sessions (id, team_id, experiment_id, participant_id, created_at)
            SELECT row_number() OVER (ORDER BY s.created_at), s.team_id, s.experiment_id, s.participant_id, s.created_at
            FROM (
                SELECT x.experiment_id, x.team_id,
                       CASE WHEN random() < 0.05 THEN NULL
                            ELSE x.team_id + @teams * floor(random() * (@participants / @teams))::bigint END AS participant_id,
                       @end - make_interval(secs => @span * (-ln(1 - random() * (1 - exp(-@growth))) / @growth)) AS created_at
                FROM (
                    SELECT e.experiment_id, 1 + (e.experiment_id - 1) % @teams AS team_id
                    FROM (SELECT 1 + floor(power(random(), @k) * @experiments)::bigint AS experiment_id
                          FROM generate_series(1, @sessions)) AS e
                ) AS x
            ) AS s
            ORDER BY s.created_at;
            """, ct, ("teams", size.Teams), ("participants", size.Participants), ("experiments", size.Experiments), ("sessions", size.Sessions),
            ("k", size.PopularityExponent), ("growth", WorkloadSize.Growth), ("span", span), ("end", end));

        await StepAsync("messages", """
            TRUNCATE chat_messages;
            INSERT INTO chat_messages (id, team_id, experiment_id, session_id, is_human, created_at)
            SELECT row_number() OVER (ORDER BY t.created_at), t.team_id, t.experiment_id, t.session_id, t.is_human, t.created_at
            FROM (
                SELECT s.team_id, s.experiment_id, s.id AS session_id, m.is_human,
                       s.created_at + least(interval '3 hours', @end - s.created_at) * power(random(), 3) AS created_at
                FROM (SELECT 1 + floor(random() * @sessions)::bigint AS session_id, random() < 0.5 AS is_human
                      FROM generate_series(1, @messages)) AS m
                JOIN chat_sessions AS s ON s.id = m.session_id
            ) AS t
            ORDER BY t.created_at;
            """, ct, ("sessions", size.Sessions), ("messages", size.Messages), ("end", end));

        await StepAsync("versions", """
            TRUNCATE message_versions;
            INSERT INTO message_versions (id, message_id, session_id, version, created_at)
            SELECT row_number() OVER (), m.id, m.session_id,
                   'v' || (1 + floor(extract(epoch FROM m.created_at - @start) / @span * 5 + random() * 0.8))::int,
                   m.created_at
            FROM chat_messages AS m
            WHERE NOT m.is_human AND random() < 0.33;
            """, ct, ("start", start), ("span", span));

        foreach (var index in WorkloadSchema.Indexes)
        {
            var name = index.Split(' ')[5];
            await StepAsync("index " + name, index, ct);
        }

        // Autovacuum would get there eventually; a fresh bulk load needs its visibility map and statistics now.
        await VacuumAsync(ct);
        if (total.Elapsed > TimeSpan.FromSeconds(1))
        {
            log($"workload ready in {total.Elapsed.TotalSeconds:F0} s");
        }

        return end;
    }

    private async Task StepAsync(string name, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        if (await MetaAsync("step:" + name, ct) is not null)
        {
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        log($"generating: {name} …");
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Big sorts and index builds: give them memory rather than temp files.
        await using (var settings = new NpgsqlCommand("SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '1GB'", connection, transaction))
        {
            await settings.ExecuteNonQueryAsync(ct);
        }

        await using (var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = Db.NoTimeout })
        {
            foreach (var (parameterName, value) in parameters)
            {
                command.Parameters.AddWithValue(parameterName, value ?? DBNull.Value);
            }

            await command.ExecuteNonQueryAsync(ct);
        }

        await using (var done = new NpgsqlCommand("INSERT INTO bench_meta (key, value) VALUES (@key, @value)", connection, transaction))
        {
            done.Parameters.AddWithValue("key", "step:" + name);
            done.Parameters.AddWithValue("value", stopwatch.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
            await done.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        log($"generated: {name} in {stopwatch.Elapsed.TotalSeconds:F1} s");
    }

    private async Task VacuumAsync(CancellationToken ct)
    {
        if (await MetaAsync("step:vacuum", ct) is not null)
        {
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        log("generating: vacuum analyze …");
        await Db.ExecuteAsync(db, "VACUUM ANALYZE", ct); // not allowed inside a transaction
        await SetMetaAsync("step:vacuum", stopwatch.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture), ct);
        log($"generated: vacuum analyze in {stopwatch.Elapsed.TotalSeconds:F1} s");
    }

    private Task<string?> MetaAsync(string key, CancellationToken ct) =>
        Db.ScalarAsync<string?>(db, "SELECT value FROM bench_meta WHERE key = @key", ct, ("key", key));

    private async Task SetMetaAsync(string key, string value, CancellationToken ct) => await Db.ExecuteAsync(
        db, "INSERT INTO bench_meta (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ct, ("key", key), ("value", value));
}

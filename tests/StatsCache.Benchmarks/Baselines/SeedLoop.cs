using Npgsql;

namespace StatsCache.Benchmarks.Baselines;

/// <summary>
/// A faithful port of the seed's refresh loop (shared/seed, <c>_update_experiment_buckets</c>): find
/// the experiments with activity in the last 24 hours, then per experiment three aggregate queries
/// (sessions, human messages, first-seen participants, each grouped by hour), then per hourly bucket
/// a Django <c>get_or_create</c> (SELECT, INSERT when missing) and a <c>save()</c> (UPDATE of every
/// field) — each its own statement and round trip in autocommit on one connection, as Django does.
/// It moves aggregates, never source rows, through the process; its cost is the statement count.
/// </summary>
internal static class SeedLoop
{
    public sealed record Outcome(int Experiments, int Buckets, int Statements);

    private sealed record Hour(long Sessions, long NewParticipants, long Messages, DateTime? LastActivity);

    public static async Task<Outcome> RunAsync(NpgsqlDataSource db, DateTime now, CancellationToken ct)
    {
        var cutoff = now.AddHours(-24);
        var statements = 0;
        var buckets = 0;
        await using var connection = await db.OpenConnectionAsync(ct);

        // Experiment.objects.filter(sessions__chat__messages__created_at__gte=cutoff).distinct()
        var experiments = new List<long>();
        await using (var command = new NpgsqlCommand(
            "SELECT DISTINCT s.experiment_id FROM chat_messages AS m JOIN chat_sessions AS s ON s.id = m.session_id WHERE m.created_at >= @cutoff AND m.created_at < @now",
            connection))
        {
            command.Parameters.AddWithValue("cutoff", cutoff);
            command.Parameters.AddWithValue("now", now);
            statements++;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                experiments.Add(reader.GetInt64(0));
            }
        }

        foreach (var experiment in experiments)
        {
            var hours = new SortedDictionary<DateTime, Hour>();
            Hour At(DateTime hour) => hours.TryGetValue(hour, out var h) ? h : new Hour(0, 0, 0, null);

            // 1. Sessions per hour.
            foreach (var (hour, count, _) in await HourlyAsync(connection, """
                SELECT date_trunc('hour', created_at, 'UTC'), count(*), NULL::timestamptz FROM chat_sessions
                WHERE experiment_id = @experiment AND created_at >= @cutoff AND created_at < @now GROUP BY 1
                """, experiment, cutoff, now, ct))
            {
                hours[hour] = At(hour) with { Sessions = count };
            }

            // 2. Human messages per hour, reached through the session as in the seed's ORM query.
            foreach (var (hour, count, last) in await HourlyAsync(connection, """
                SELECT date_trunc('hour', m.created_at, 'UTC'), count(*), max(m.created_at)
                FROM chat_messages AS m JOIN chat_sessions AS s ON s.id = m.session_id
                WHERE s.experiment_id = @experiment AND m.is_human AND m.created_at >= @cutoff AND m.created_at < @now GROUP BY 1
                """, experiment, cutoff, now, ct))
            {
                hours[hour] = At(hour) with { Messages = count, LastActivity = last };
            }

            // 3. Participants whose first session with the experiment started in the hour.
            foreach (var (hour, count, _) in await HourlyAsync(connection, """
                SELECT date_trunc('hour', f.first_at, 'UTC'), count(*), NULL::timestamptz
                FROM (SELECT participant_id, min(created_at) AS first_at FROM chat_sessions
                      WHERE experiment_id = @experiment AND participant_id IS NOT NULL AND created_at < @now
                      GROUP BY participant_id) AS f
                WHERE f.first_at >= @cutoff GROUP BY 1
                """, experiment, cutoff, now, ct))
            {
                hours[hour] = At(hour) with { NewParticipants = count };
            }

            statements += 3;
            foreach (var (hour, stats) in hours)
            {
                statements += await GetOrCreateAndSaveAsync(connection, experiment, hour, stats, ct);
                buckets++;
            }
        }

        return new Outcome(experiments.Count, buckets, statements);
    }

    private static async Task<List<(DateTime Hour, long Count, DateTime? Last)>> HourlyAsync(
        NpgsqlConnection connection, string sql, long experiment, DateTime cutoff, DateTime now, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("experiment", experiment);
        command.Parameters.AddWithValue("cutoff", cutoff);
        command.Parameters.AddWithValue("now", now);
        var rows = new List<(DateTime, long, DateTime?)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetDateTime(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetDateTime(2)));
        }

        return rows;
    }

    /// <summary>SELECT, INSERT if missing, UPDATE: returns the statements it sent.</summary>
    private static async Task<int> GetOrCreateAndSaveAsync(NpgsqlConnection connection, long experiment, DateTime hour, Hour stats, CancellationToken ct)
    {
        var statements = 1;
        long? id;
        await using (var get = new NpgsqlCommand($"SELECT id FROM {SeedBuckets.Table} WHERE experiment_id = @experiment AND bucket_size = 'hour' AND bucket_start = @start", connection))
        {
            get.Parameters.AddWithValue("experiment", experiment);
            get.Parameters.AddWithValue("start", hour);
            id = (long?)await get.ExecuteScalarAsync(ct);
        }

        if (id is null)
        {
            statements++;
            await using var create = new NpgsqlCommand($"""
                INSERT INTO {SeedBuckets.Table} (experiment_id, bucket_size, bucket_start, bucket_end) VALUES (@experiment, 'hour', @start, @end)
                RETURNING id
                """, connection);
            create.Parameters.AddWithValue("experiment", experiment);
            create.Parameters.AddWithValue("start", hour);
            create.Parameters.AddWithValue("end", hour.AddHours(1));
            id = (long)(await create.ExecuteScalarAsync(ct))!;
        }

        statements++;
        await using var save = new NpgsqlCommand($"""
            UPDATE {SeedBuckets.Table} SET experiment_id = @experiment, bucket_size = 'hour', bucket_start = @start, bucket_end = @end,
                   session_count = @sessions, new_participant_count = @participants, human_message_count = @messages,
                   last_activity_at = @last, updated_at = now()
            WHERE id = @id
            """, connection);
        save.Parameters.AddWithValue("id", id.Value);
        save.Parameters.AddWithValue("experiment", experiment);
        save.Parameters.AddWithValue("start", hour);
        save.Parameters.AddWithValue("end", hour.AddHours(1));
        save.Parameters.AddWithValue("sessions", (int)stats.Sessions);
        save.Parameters.AddWithValue("participants", (int)stats.NewParticipants);
        save.Parameters.AddWithValue("messages", (int)stats.Messages);
        save.Parameters.AddWithValue("last", (object?)stats.LastActivity ?? DBNull.Value);
        await save.ExecuteNonQueryAsync(ct);
        return statements;
    }
}

using Npgsql;
using StatsCache.Reads;

namespace StatsCache.IntegrationTests.Host;

/// <summary>
/// The numbers computed live from the host's tables, the way a dashboard does it today with
/// sub-queries: the oracle every cached statistic is compared to.
/// </summary>
public sealed class LiveStatistics(NpgsqlDataSource db)
{
    public async Task<Dictionary<long, ExperimentTotals>> ExperimentsAsync(long team, DateTime before)
    {
        await using var command = db.CreateCommand("""
            SELECT e.experiment_id,
                   (SELECT count(*) FROM chat_sessions s WHERE s.team_id = @team AND s.experiment_id = e.experiment_id AND s.created_at < @before),
                   (SELECT count(DISTINCT s.participant_id) FROM chat_sessions s WHERE s.team_id = @team AND s.experiment_id = e.experiment_id AND s.created_at < @before),
                   (SELECT count(*) FROM chat_messages m WHERE m.team_id = @team AND m.experiment_id = e.experiment_id AND m.is_human AND m.created_at < @before),
                   (SELECT max(m.created_at) FROM chat_messages m WHERE m.team_id = @team AND m.experiment_id = e.experiment_id AND m.is_human AND m.created_at < @before)
            FROM (SELECT experiment_id FROM chat_sessions WHERE team_id = @team
                  UNION SELECT experiment_id FROM chat_messages WHERE team_id = @team) AS e
            """);
        command.Parameters.AddWithValue("team", team);
        command.Parameters.AddWithValue("before", before);
        var result = new Dictionary<long, ExperimentTotals>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = reader.GetInt64(0);
            result[id] = new ExperimentTotals(id, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetDateTime(4));
        }

        return result;
    }

    public async Task<Dictionary<long, SessionTotals>> SessionsAsync(long team, DateTime before)
    {
        await using var command = db.CreateCommand("""
            SELECT s.id,
                   (SELECT count(*) FROM chat_messages m WHERE m.session_id = s.id AND m.is_human AND m.created_at < @before),
                   (SELECT max(m.created_at) FROM chat_messages m WHERE m.session_id = s.id AND m.is_human AND m.created_at < @before),
                   coalesce((SELECT array_agg(DISTINCT v.version_label COLLATE "C" ORDER BY v.version_label COLLATE "C") FROM message_versions v WHERE v.session_id = s.id AND v.created_at < @before), '{}')
            FROM chat_sessions s WHERE s.team_id = @team
            """);
        command.Parameters.AddWithValue("team", team);
        command.Parameters.AddWithValue("before", before);
        var result = new Dictionary<long, SessionTotals>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = reader.GetInt64(0);
            result[id] = new SessionTotals(id, reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetDateTime(2), reader.GetFieldValue<string[]>(3));
        }

        return result;
    }
}

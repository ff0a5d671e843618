using StatsCache.Benchmarks.Infrastructure;
using Npgsql;

namespace StatsCache.Benchmarks.Workload;

/// <summary>What the generated data holds, and the entities the scenarios read (chosen from the data, not assumed).</summary>
public sealed record WorkloadFacts(
    long Teams,
    long Experiments,
    long Participants,
    long Sessions,
    long Messages,
    long HumanMessages,
    long Versions,
    DateTime FirstActivity,
    DateTime End,
    long LargestTeam,
    long LargestTeamSessions,
    long MedianTeam,
    long MedianTeamSessions,
    long LargestExperimentTeam,
    long LargestExperiment,
    long LargestExperimentSessions,
    long HumanMessagesLast24Hours)
{
    internal static async Task<WorkloadFacts> ReadAsync(NpgsqlDataSource db, DateTime end, CancellationToken ct)
    {
        async Task<long> Count(string sql) => await Db.ScalarAsync<long>(db, sql, ct, ("end", end));

        var teams = await TeamsBySessionsAsync(db, ct);
        var largest = teams[0];
        var median = teams[teams.Count / 2];
        await using var command = Db.Command(db, """
            SELECT team_id, experiment_id, count(*) FROM chat_sessions
            GROUP BY team_id, experiment_id ORDER BY count(*) DESC, experiment_id LIMIT 1
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (experimentTeam, experiment, experimentSessions) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        await reader.CloseAsync();

        return new WorkloadFacts(
            await Count("SELECT count(*) FROM teams"),
            await Count("SELECT count(*) FROM experiments"),
            await Count("SELECT count(*) FROM participants"),
            await Count("SELECT count(*) FROM chat_sessions"),
            await Count("SELECT count(*) FROM chat_messages"),
            await Count("SELECT count(*) FROM chat_messages WHERE is_human"),
            await Count("SELECT count(*) FROM message_versions"),
            await Db.ScalarAsync<DateTime>(db, "SELECT min(created_at) FROM chat_sessions", ct),
            end,
            largest.Team,
            largest.Sessions,
            median.Team,
            median.Sessions,
            experimentTeam,
            experiment,
            experimentSessions,
            await Count("SELECT count(*) FROM chat_messages WHERE is_human AND created_at >= @end - interval '24 hours' AND created_at < @end"));
    }

    private static async Task<List<(long Team, long Sessions)>> TeamsBySessionsAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = Db.Command(db, "SELECT team_id, count(*) FROM chat_sessions GROUP BY team_id ORDER BY count(*) DESC, team_id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var teams = new List<(long, long)>();
        while (await reader.ReadAsync(ct))
        {
            teams.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return teams;
    }
}

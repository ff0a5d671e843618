using Npgsql;
using StatsCache.Reads;

namespace StatsCache.IntegrationTests.Measures;

/// <summary>What the measure tests share: a history of sessions with human and bot messages carrying tokens, exactness against a given oracle, and our measure rows.</summary>
internal static class MeasureChecks
{
    public static readonly long[] Teams = [1, 2];

    /// <summary>
    /// Sessions of both teams over [<paramref name="from"/>, <paramref name="to"/>), each with 0–3 human and 1–2 bot
    /// messages, tokens on most of them (some null); experiments 1 … 6, shared by the teams' ids.
    /// </summary>
    public static async Task<List<(long Team, long Experiment, long Session, DateTime At)>> SeedAsync(HostData data, Random random, DateTime from, DateTime to, int sessions)
    {
        var seeded = new List<(long, long, long, DateTime)>();
        var span = (to - from).Ticks;
        for (var i = 0; i < sessions; i++)
        {
            var team = Teams[random.Next(Teams.Length)];
            var experiment = (team * 10) + random.Next(1, 7);
            var at = Trim(from + TimeSpan.FromTicks((long)(random.NextDouble() * span * 0.98)));
            var latest = to.AddTicks(-10);
            var session = await data.AddSessionAsync(team, experiment, random.Next(6) == 0 ? null : team * 100 + random.Next(1, 9), at);
            var humans = Enumerable.Range(0, random.Next(4)).Select(m => Min(at.AddMinutes(m * 7), latest)).ToList();
            await data.AddMessagesAsync(team, experiment, session, humans, human: true, version: "v1", tokens: humans.Select(_ => Tokens(random, 300)).ToList());
            var bots = Enumerable.Range(0, random.Next(1, 3)).Select(m => Min(at.AddMinutes(m * 7 + 1), latest)).ToList();
            await data.AddMessagesAsync(team, experiment, session, bots, human: false, tokens: bots.Select(_ => Tokens(random, 3000)).ToList());
            seeded.Add((team, experiment, session, at));
        }

        return seeded;
    }

    private static int? Tokens(Random random, int max) => random.Next(5) == 0 ? null : random.Next(max + 1);

    /// <summary>Every experiment and session total of every team, read through <paramref name="cache"/> in <paramref name="mode"/>, equals <paramref name="live"/> before <paramref name="before"/>, measures included.</summary>
    public static async Task AssertExactAsync(IStatisticsCache cache, LiveStatistics live, DateTime before, ReadMode mode, string because)
    {
        foreach (var team in Teams)
        {
            var experiments = await live.ExperimentsAsync(team, before);
            (await cache.GetExperimentTotalsAsync(team, experiments.Keys, mode)).Should().BeEquivalentTo(experiments, "{0} experiment totals of team {1} equal the live SQL {2}", mode, team, because);
            var sessions = await live.SessionsAsync(team, before);
            (await cache.GetSessionTotalsAsync(team, sessions.Keys, mode)).Should().BeEquivalentTo(sessions, "{0} session totals of team {1} equal the live SQL {2}", mode, team, because);
        }
    }

    /// <summary>The measures registered for the default cache, name → fingerprint.</summary>
    public static async Task<Dictionary<string, string>> RegisteredAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("SELECT measure, fingerprint FROM statscache_measures WHERE cache_name = 'default'");
        var registered = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            registered[reader.GetString(0)] = reader.GetString(1);
        }

        return registered;
    }

    /// <summary>How many rows each of our three measure tables holds of <paramref name="measure"/> (buckets, experiment totals, sessions).</summary>
    public static async Task<(long Buckets, long Totals, long Sessions)> RowsAsync(NpgsqlDataSource db, string measure)
    {
        await using var command = db.CreateCommand("""
            SELECT (SELECT count(*) FROM statscache_experiment_measure_buckets WHERE measure = @m),
                   (SELECT count(*) FROM statscache_experiment_measures WHERE measure = @m),
                   (SELECT count(*) FROM statscache_session_measures WHERE measure = @m)
            """);
        command.Parameters.AddWithValue("m", measure);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>The fingerprint the registry must hold for a declared measure: that of its resolved definition.</summary>
    public static string FingerprintOf(MeasureOptions measure) =>
        new StatsCache.Sql.HostMeasure(measure.Name, measure.Aggregate, StatsCache.Sources.SourceRelation.ToSql(measure.Source)).Fingerprint;

    public static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>PostgreSQL keeps microseconds.</summary>
    public static DateTime Trim(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
}

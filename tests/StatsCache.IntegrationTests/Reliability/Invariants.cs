using Npgsql;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>Every total the cache serves for some teams, keyed by team and id: what "totals" means in docs/guarantees.md.</summary>
public sealed record TotalsSnapshot(
    IReadOnlyDictionary<(long Team, long Id), ExperimentStats> Experiments,
    IReadOnlyDictionary<(long Team, long Id), SessionStats> Sessions);

/// <summary>The invariants of docs/guarantees.md (coverage, exactness, compression, idempotence, isolation), phrased once and shared by the property, concurrency and crash tests.</summary>
public static class Invariants
{
    /// <summary>
    /// Reads, through the public API, every experiment and session total of the teams the oracle
    /// knows about (including ids whose rows were purged: they must keep their history).
    /// </summary>
    public static async Task<TotalsSnapshot> ReadAsync(IHostCache cache, HistoryOracle oracle, IEnumerable<long> teams, DateTime now)
    {
        var experiments = new Dictionary<(long, long), ExperimentStats>();
        var sessions = new Dictionary<(long, long), SessionStats>();
        foreach (var team in teams)
        {
            var experimentIds = (await oracle.ExperimentsAsync(team, DateTime.MaxValue.ToUniversalTime())).Keys;
            foreach (var (id, totals) in await cache.GetExperimentTotalsAsync(team, experimentIds))
            {
                experiments[(team, id)] = totals;
            }

            var sessionIds = (await oracle.SessionsAsync(team, now)).Keys;
            foreach (var (id, totals) in await cache.GetSessionTotalsAsync(team, sessionIds))
            {
                sessions[(team, id)] = totals;
            }
        }

        return new TotalsSnapshot(experiments, sessions);
    }

    /// <summary>What the oracle says those totals are, counting rows before <paramref name="before"/>.</summary>
    public static async Task<TotalsSnapshot> ExpectedAsync(HistoryOracle oracle, IEnumerable<long> teams, DateTime before)
    {
        var experiments = new Dictionary<(long, long), ExperimentStats>();
        var sessions = new Dictionary<(long, long), SessionStats>();
        foreach (var team in teams)
        {
            foreach (var (id, totals) in await oracle.ExperimentsAsync(team, before))
            {
                experiments[(team, id)] = totals;
            }

            foreach (var (id, totals) in await oracle.SessionsAsync(team, before))
            {
                sessions[(team, id)] = totals;
            }
        }

        return new TotalsSnapshot(experiments, sessions);
    }

    /// <summary>Exactness (§5.2): every served total equals the oracle's, exactly.</summary>
    public static async Task AssertExactAsync(IHostCache cache, HistoryOracle oracle, IReadOnlyCollection<long> teams, DateTime before, string because)
    {
        var expected = await ExpectedAsync(oracle, teams, before);
        var actual = await ReadAsync(cache, oracle, teams, before);
        AssertSame(actual, expected, "exactness: cached totals must equal the live SQL " + because);
    }

    public static void AssertSame(TotalsSnapshot actual, TotalsSnapshot expected, string because)
    {
        actual.Experiments.Should().BeEquivalentTo(expected.Experiments, because);
        actual.Sessions.Should().BeEquivalentTo(expected.Sessions, because);
    }

    /// <summary>
    /// Coverage (§5.1): no two buckets of an experiment overlap, every bucket starts on a UTC boundary
    /// of its size, no count is negative (a participant moved out of a bucket twice would show here), and
    /// every experiment's totals row equals the sums over its buckets (no row without buckets, none missing); the same
    /// for the host's measures: their buckets never overlap, are aligned and not negative, and every experiment's measure
    /// total equals the sum of its measure buckets.
    /// Returns the offending rows, described, so a failure says what is wrong.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CoverageProblemsAsync(NpgsqlDataSource db)
    {
        const string End = "(((x.bucket_start AT TIME ZONE 'UTC') + CASE x.bucket_size WHEN 1 THEN interval '1 hour' WHEN 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'UTC')";
        await using var command = db.CreateCommand($"""
            SELECT format('overlap: team %s experiment %s: size %s at %s and size %s at %s', a.team_id, a.experiment_id, a.bucket_size, a.bucket_start, b.bucket_size, b.bucket_start)
            FROM statscache_experiment_buckets AS a
            JOIN statscache_experiment_buckets AS b
              ON a.team_id = b.team_id AND a.experiment_id = b.experiment_id
             AND (a.bucket_size, a.bucket_start) < (b.bucket_size, b.bucket_start)
             AND a.bucket_start < {End.Replace("x.", "b.", StringComparison.Ordinal)} AND b.bucket_start < {End.Replace("x.", "a.", StringComparison.Ordinal)}
            UNION ALL
            SELECT format('misaligned: team %s experiment %s size %s at %s', x.team_id, x.experiment_id, x.bucket_size, x.bucket_start)
            FROM statscache_experiment_buckets AS x
            WHERE x.bucket_start <> date_trunc(CASE x.bucket_size WHEN 1 THEN 'hour' WHEN 2 THEN 'day' ELSE 'month' END, x.bucket_start, 'UTC')
            UNION ALL
            SELECT format('negative: team %s experiment %s size %s at %s: %s sessions, %s new participants, %s messages', x.team_id, x.experiment_id, x.bucket_size, x.bucket_start, x.session_count, x.new_participant_count, x.human_message_count)
            FROM statscache_experiment_buckets AS x
            WHERE x.session_count < 0 OR x.new_participant_count < 0 OR x.human_message_count < 0
            UNION ALL
            SELECT format('totals row: team %s experiment %s: row %s/%s/%s/%s, buckets sum to %s/%s/%s/%s',
                          coalesce(t.team_id, s.team_id), coalesce(t.experiment_id, s.experiment_id),
                          t.session_count, t.participant_count, t.human_message_count, t.last_activity,
                          s.session_count, s.participant_count, s.human_message_count, s.last_activity)
            FROM statscache_experiment_totals AS t
            FULL JOIN (SELECT team_id, experiment_id, sum(session_count) AS session_count, sum(new_participant_count) AS participant_count,
                              sum(human_message_count) AS human_message_count, max(last_activity) AS last_activity
                       FROM statscache_experiment_buckets GROUP BY team_id, experiment_id) AS s
              ON s.team_id = t.team_id AND s.experiment_id = t.experiment_id
            WHERE (t.session_count, t.participant_count, t.human_message_count, t.last_activity, t.last_activity_or_min)
                  IS DISTINCT FROM (s.session_count, s.participant_count, s.human_message_count, s.last_activity, coalesce(s.last_activity, '-infinity'))
            UNION ALL
            SELECT format('measure overlap: team %s experiment %s %s: size %s at %s and size %s at %s', a.team_id, a.experiment_id, a.measure, a.bucket_size, a.bucket_start, b.bucket_size, b.bucket_start)
            FROM statscache_experiment_measure_buckets AS a
            JOIN statscache_experiment_measure_buckets AS b
              ON a.team_id = b.team_id AND a.experiment_id = b.experiment_id AND a.measure = b.measure
             AND (a.bucket_size, a.bucket_start) < (b.bucket_size, b.bucket_start)
             AND a.bucket_start < {End.Replace("x.", "b.", StringComparison.Ordinal)} AND b.bucket_start < {End.Replace("x.", "a.", StringComparison.Ordinal)}
            UNION ALL
            SELECT format('measure misaligned: team %s experiment %s %s size %s at %s', x.team_id, x.experiment_id, x.measure, x.bucket_size, x.bucket_start)
            FROM statscache_experiment_measure_buckets AS x
            WHERE x.bucket_start <> date_trunc(CASE x.bucket_size WHEN 1 THEN 'hour' WHEN 2 THEN 'day' ELSE 'month' END, x.bucket_start, 'UTC')
            UNION ALL
            SELECT format('measure negative: team %s experiment %s %s size %s at %s: %s', x.team_id, x.experiment_id, x.measure, x.bucket_size, x.bucket_start, x.value)
            FROM statscache_experiment_measure_buckets AS x
            WHERE x.value < 0
            UNION ALL
            SELECT format('session measure negative: team %s session %s %s: %s', x.team_id, x.session_id, x.measure, x.value)
            FROM statscache_session_measures AS x
            WHERE x.value < 0
            UNION ALL
            SELECT format('measure totals row: team %s experiment %s %s: row %s, buckets sum to %s',
                          coalesce(t.team_id, s.team_id), coalesce(t.experiment_id, s.experiment_id), coalesce(t.measure, s.measure), t.value, s.value)
            FROM statscache_experiment_measures AS t
            FULL JOIN (SELECT team_id, experiment_id, measure, sum(value) AS value
                       FROM statscache_experiment_measure_buckets GROUP BY team_id, experiment_id, measure) AS s
              ON s.team_id = t.team_id AND s.experiment_id = t.experiment_id AND s.measure = t.measure
            WHERE t.value IS DISTINCT FROM s.value
            """);
        var problems = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            problems.Add(reader.GetString(0));
        }

        return problems;
    }

    /// <summary>What an experiment with nothing recorded (or another team's) reads as: zeros, and a zero for every declared measure.</summary>
    public static ExperimentStats EmptyExperiment(HistoryOracle oracle) => ExperimentStats.Empty with { Measures = ZeroMeasures(oracle) };

    /// <summary>What a session with nothing recorded (or another team's) reads as: zeros, no versions, a zero for every declared measure.</summary>
    public static SessionStats EmptySession(HistoryOracle oracle) => SessionStats.Empty with { Measures = ZeroMeasures(oracle) };

    private static Dictionary<string, long> ZeroMeasures(HistoryOracle oracle) =>
        oracle.Measures ? new() { [HostWiring.BotMessages] = 0, [HostWiring.TokensUsed] = 0 } : [];

    public static async Task AssertCoverageAsync(NpgsqlDataSource db, string because) =>
        (await CoverageProblemsAsync(db)).Should().BeEmpty("coverage: buckets (the measures' too) never overlap and are aligned {0}", because);

    /// <summary>
    /// Every stored row of ours except its updated_at, as text, in a fixed order: two equal
    /// dumps mean the cache's content is the same.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DumpAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("""
            SELECT format('bucket %s/%s size %s %s: %s %s %s %s', team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity)
            FROM (SELECT * FROM statscache_experiment_buckets ORDER BY team_id, experiment_id, bucket_start, bucket_size) AS b
            UNION ALL
            SELECT format('session %s/%s/%s: %s %s %s', team_id, experiment_id, session_id, human_message_count, last_activity, versions)
            FROM (SELECT * FROM statscache_session_statistics ORDER BY team_id, session_id) AS s
            UNION ALL
            SELECT format('first-seen %s/%s/%s: %s', team_id, experiment_id, participant_id, first_seen_at)
            FROM (SELECT * FROM statscache_participant_first_seen ORDER BY team_id, experiment_id, participant_id) AS f
            UNION ALL
            SELECT format('totals %s/%s: %s %s %s %s', team_id, experiment_id, session_count, participant_count, human_message_count, last_activity)
            FROM (SELECT * FROM statscache_experiment_totals ORDER BY team_id, experiment_id) AS t
            UNION ALL
            SELECT format('measure bucket %s/%s %s size %s %s: %s', team_id, experiment_id, measure, bucket_size, bucket_start, value)
            FROM (SELECT * FROM statscache_experiment_measure_buckets ORDER BY team_id, experiment_id, measure COLLATE "C", bucket_start, bucket_size) AS mb
            UNION ALL
            SELECT format('measure totals %s/%s %s: %s', team_id, experiment_id, measure, value)
            FROM (SELECT * FROM statscache_experiment_measures ORDER BY team_id, experiment_id, measure COLLATE "C") AS mt
            UNION ALL
            SELECT format('session measure %s/%s/%s %s: %s %s', team_id, experiment_id, session_id, measure, value, last_at)
            FROM (SELECT * FROM statscache_session_measures ORDER BY team_id, session_id, measure COLLATE "C") AS ms
            UNION ALL
            SELECT format('measure registered %s %s: %s', cache_name, measure, fingerprint)
            FROM (SELECT * FROM statscache_measures ORDER BY cache_name COLLATE "C", measure COLLATE "C") AS mr
            """);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>
    /// Isolation (§5.5): team <paramref name="reader"/> asking for every experiment and session id of
    /// the other teams gets zeros, and no bucket of theirs.
    /// </summary>
    public static async Task AssertIsolatedAsync(IHostCache cache, HistoryOracle oracle, long reader, IEnumerable<long> others, DateTime now, string because)
    {
        var own = await oracle.ExperimentsAsync(reader, now);
        var ownSessions = await oracle.SessionsAsync(reader, now);
        foreach (var other in others)
        {
            // Ids the reading team also uses are legitimately its own; everything else must read as nothing.
            var foreignExperiments = (await oracle.ExperimentsAsync(other, now)).Keys.Where(id => !own.ContainsKey(id)).ToList();
            var foreignSessions = (await oracle.SessionsAsync(other, now)).Keys.Where(id => !ownSessions.ContainsKey(id)).ToList();
            var experiments = await cache.GetExperimentTotalsAsync(reader, foreignExperiments);
            var sessions = await cache.GetSessionTotalsAsync(reader, foreignSessions);
            experiments.Keys.Should().BeEquivalentTo(foreignExperiments, "every requested id gets an entry");
            sessions.Keys.Should().BeEquivalentTo(foreignSessions, "every requested id gets an entry");
            foreach (var (id, totals) in experiments)
            {
                totals.Should().BeEquivalentTo(EmptyExperiment(oracle), "isolation: team {0} must see nothing of team {1} {2}", reader, other, because);
            }

            foreach (var (id, totals) in sessions)
            {
                totals.Should().BeEquivalentTo(EmptySession(oracle), "isolation: team {0} must see nothing of team {1} {2}", reader, other, because);
            }
            foreach (var id in foreignExperiments)
            {
                (await cache.GetExperimentBucketsAsync(reader, id)).Should().BeEmpty("isolation {0}", because);
            }
        }
    }
}

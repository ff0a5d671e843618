using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StatsCache.CitusTests.Infrastructure;
using StatsCache.TestSupport.Host;
using StatsCache.Maintenance;
using StatsCache.Policy;
using StatsCache.Reads;
using StatsCache.Storage;
using Xunit.Abstractions;

namespace StatsCache.CitusTests;

/// <summary>
/// Every operation on Citus, each checked against the live SQL, and the plan kind of every
/// statement it sends as Citus ran it (auto_explain on the coordinator): reads of one team are
/// router queries on one shard, maintenance runs shard by shard, nothing is repartitioned, and only
/// the listed probes go through the coordinator (each brings back at most one row per shard).
/// </summary>
[Collection(CitusCollection.Name)]
public sealed class CitusOperationsTests(CitusCluster cluster, ITestOutputHelper output)
{
    private static readonly DateTime Start = new(2024, 3, 10, 12, 0, 0, DateTimeKind.Utc);
    private static readonly long[] Teams = [1, 2, 3];
    private static readonly long[] Experiments = [1, 2, 3, 4];
    private static readonly string[] Labels = ["v1", "v2", "v10"];

    /// <summary>
    /// Maintenance statements allowed through the coordinator, by a phrase of their text, and why:
    /// each is a probe over all shards that brings back at most one row per shard (LIMIT 1, min, a
    /// count per verify range), never a table.
    /// </summary>
    private static readonly (string Phrase, string Why)[] CoordinatorProbes =
    [
        ("UPDATE \"statscache_state\" SET time_zone", "adopt the zone while empty: three LIMIT 1 probes"),
        ("SELECT least(", "earliest source row of a backfill: a min per table"),
        ("SELECT min(bucket_start)", "earliest bucket of a verify: one min"),
        ("WITH r AS (", "verify: per range counts of the whole source, one row per range and shard"),
        ("WITH forgotten AS (", "run history, a reference table: forgets runs older than 30 days and records this one"),
        ("SELECT ((SELECT true FROM", "health: whether our tables (and, if one is empty, the source) hold a row, LIMIT 1 probes"),
        ("SELECT to_regclass('pg_catalog.pg_dist_partition') IS NULL", "whether a first build may be bulk: Citus installed, then LIMIT 1 probes"),
        ("NOT ((SELECT true FROM", "whether the totals table must be filled from the buckets (an upgrade): one LIMIT 1 probe"),
    ];

    [Fact]
    public async Task EveryOperationIsExactAndRunsWhereItsDataIs()
    {
        await using var h = await CitusHarness.CreateAsync(cluster, Start);
        var random = new Random(12);
        await using (var experiments = h.Db.CreateCommand("INSERT INTO experiments (id, team_id, name) SELECT e, t, 'bot ' || e FROM unnest(@teams) AS t, unnest(@experiments) AS e"))
        {
            experiments.Parameters.AddWithValue("teams", Teams);
            experiments.Parameters.AddWithValue("experiments", Experiments);
            await experiments.ExecuteNonQueryAsync();
        }

        var sessions = await SeedAsync(h, random, count: 240, from: Start.AddDays(-45), to: Start);
        var ran = new List<(string Operation, ExplainedStatement Statement)>();

        async Task<T> Run<T>(string operation, Func<Task<T>> action)
        {
            var mark = h.Plans.Mark;
            var result = await action();
            ran.AddRange(h.Plans.Since(mark).Select(s => (operation, s)));
            return result;
        }

        await Run("backfill (full)", () => h.Cache.BackfillAsync());
        await AssertExactEverywhereAsync(h, "after the full backfill");

        // Later rows, some late (before the watermark), then a refresh.
        h.Advance(TimeSpan.FromHours(5));
        sessions.AddRange(await SeedAsync(h, random, count: 30, from: Start.AddMinutes(-10), to: h.Now));
        await Run("refresh", () => h.Cache.RefreshAsync());
        await AssertExactEverywhereAsync(h, "after the refresh");

        // Rows after the watermark: real-time and live reads see them.
        h.Advance(TimeSpan.FromMinutes(30));
        sessions.AddRange(await SeedAsync(h, random, count: 10, from: h.Now.AddMinutes(-29), to: h.Now));
        foreach (var mode in new[] { ReadMode.Cached, ReadMode.RealTime, ReadMode.Live })
        {
            var name = mode.ToString().ToLowerInvariant();
            await Run($"read {name}: experiment totals", () => h.Cache.GetExperimentTotalsAsync(1, Experiments, mode));
            await Run($"read {name}: session totals", () => h.Cache.GetSessionTotalsAsync(1, sessions.Where(s => s.Team == 1).Select(s => s.Id).Take(25), mode));
            if (mode != ReadMode.Cached)
            {
                await AssertExactEverywhereAsync(h, "with a tail after the watermark", mode);
            }
        }

        h.Advance(TimeSpan.FromDays(35));
        await Run("refresh", () => h.Cache.RefreshAsync());
        await Run("compress", () => h.Cache.CompressAsync());
        var status = await Run("status", () => h.Cache.GetStatusAsync());
        status.BucketCounts.Should().ContainKey(BucketSize.Day, "35 days later the hours of March are rolled into days");
        await AssertExactEverywhereAsync(h, "after compression");

        // Late rows deep in the past, picked up by a partial backfill, a reconcile and a verify with repair.
        sessions.AddRange(await SeedAsync(h, random, count: 12, from: Start.AddDays(-30), to: Start.AddDays(-20), experiments: [1, 2]));
        await Run("backfill (partial)", () => h.Cache.BackfillAsync(new BackfillRequest { From = Start.AddDays(-31), ExperimentIds = [1, 2] }));
        await AssertExactEverywhereAsync(h, "after the partial backfill");
        sessions.AddRange(await SeedAsync(h, random, count: 12, from: Start.AddDays(-15), to: Start.AddDays(-10)));
        var reconciled = await Run("reconcile", () => h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-16), To = Start.AddDays(-9) }));
        reconciled.Changes.Should().NotBeEmpty("the reconcile found the late sessions");
        await AssertExactEverywhereAsync(h, "after the reconcile");
        sessions.AddRange(await SeedAsync(h, random, count: 8, from: Start.AddDays(-5), to: Start.AddDays(-4)));
        var verified = await Run("verify", () => h.Cache.VerifyAsync(VerifyRequest.Everything()));
        verified.Ranges.Should().Contain(r => r.Verdict == RangeVerdict.Repaired, "the late sessions were found and repaired");
        verified.Clean.Should().BeTrue();
        await AssertExactEverywhereAsync(h, "after the verify");

        // Series: every point of an experiment adds up to its live totals; a session's points to its messages.
        var live = await h.Live.ExperimentsAsync(2, h.Now);
        var series = await Run("series: experiments", () => h.Cache.GetExperimentSeriesAsync(2, Experiments, new SeriesRequest { From = Start.AddDays(-60), To = h.Now, Granularity = BucketSize.Day }));
        foreach (var (experiment, points) in series)
        {
            points.Sum(p => p.SessionCount).Should().Be(live[experiment].SessionCount, "series of experiment {0}", experiment);
            points.Sum(p => p.NewParticipantCount).Should().Be(live[experiment].ParticipantCount, "series of experiment {0}", experiment);
            points.Sum(p => p.HumanMessageCount).Should().Be(live[experiment].HumanMessageCount, "series of experiment {0}", experiment);
        }

        var session = sessions.First(s => s.Team == 2);
        var liveSession = (await h.Live.SessionsAsync(2, h.Now))[session.Id];
        var sessionSeries = await Run("series: session", () => h.Cache.GetSessionSeriesAsync(2, session.Id, new SeriesRequest { From = Start.AddDays(-60), To = h.Now, Granularity = BucketSize.Day }));
        sessionSeries.Sum(p => p.HumanMessageCount).Should().Be(liveSession.HumanMessageCount);
        await Run("read: experiment buckets", () => h.Cache.GetExperimentBucketsAsync(3, 1));

        // Sort and page composition: the host's own query joined to our tables, one statement.
        await using (var scope = h.NewScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TeamScopedHostDbContext>();
            var page = await Run("page: experiments by last activity", () => (
                    from e in db.Set<Experiment>()
                    where e.TeamId == 3
                    join s in db.Set<ExperimentStatistics>().AsNoTracking() on new { e.TeamId, ExperimentId = e.Id } equals new { s.TeamId, s.ExperimentId } into stats
                    from s in stats.DefaultIfEmpty()
                    orderby s == null ? DateTime.MinValue : s.LastActivityOrMinValue descending, e.Id
                    select new { e.Id, Sessions = s == null ? 0 : s.SessionCount, Messages = s == null ? 0 : s.HumanMessageCount })
                .Take(10).ToListAsync());
            var liveTeam = await h.Live.ExperimentsAsync(3, h.Now);
            page.Should().HaveCount(Experiments.Length);
            page.Should().OnlyContain(p => p.Sessions == liveTeam[p.Id].SessionCount && p.Messages == liveTeam[p.Id].HumanMessageCount);

            var sessionPage = await Run("page: sessions by last activity", () => (
                    from st in db.Set<SessionStatistics>()
                    where st.TeamId == 3 && st.ExperimentId == 2
                    join s in db.Sessions on new { st.TeamId, Id = st.SessionId } equals new { s.TeamId, s.Id }
                    orderby st.LastActivityOrMinValue descending, st.SessionId
                    select new { s.Id, st.HumanMessageCount })
                .Take(10).ToListAsync());
            var liveSessions = await h.Live.SessionsAsync(3, h.Now);
            sessionPage.Should().NotBeEmpty().And.OnlyContain(p => p.HumanMessageCount == liveSessions[p.Id].HumanMessageCount);
        }

        var health = await Run("health check", () => h.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync());
        health.Status.Should().Be(HealthStatus.Healthy, string.Join("; ", health.Entries.Select(e => e.Value.Description)));

        await using (var size = h.Db.CreateCommand("SELECT (SELECT count(*) FROM chat_sessions), (SELECT count(*) FROM chat_messages), (SELECT count(*) FROM message_versions)"))
        await using (var reader = await size.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            output.WriteLine($"data: {reader.GetInt64(0)} sessions, {reader.GetInt64(1)} messages, {reader.GetInt64(2)} version tags over {Teams.Length} teams");
        }

        Report(ran);
        AssertPlacement(ran);
    }

    private void Report(List<(string Operation, ExplainedStatement Statement)> ran)
    {
        var text = new StringBuilder();
        text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{cluster.Description}; {CitusCluster.ShardCount} shards per distributed table");
        text.AppendLine("| operation | statement | plan |");
        text.AppendLine("| --- | --- | --- |");
        foreach (var group in ran.GroupBy(r => (r.Operation, r.Statement.Head, r.Statement.Kind)))
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"| {group.Key.Operation} | `{group.Key.Head[..Math.Min(70, group.Key.Head.Length)]}` | {group.Key.Kind}{(group.Count() > 1 ? $" ×{group.Count()}" : "")} |");
        }

        output.WriteLine(text.ToString());
        var path = Environment.GetEnvironmentVariable("STATSCACHE_CITUS_PLANS");
        if (!string.IsNullOrWhiteSpace(path))
        {
            File.WriteAllText(path, text.ToString() + "\n\n" + string.Join("\n\n----\n", ran.Select(r => $"[{r.Operation}] {r.Statement.Kind}\n{r.Statement.QueryText}\n{r.Statement.Plan}")));
        }
    }

    private static void AssertPlacement(List<(string Operation, ExplainedStatement Statement)> ran)
    {
        ran.Should().NotBeEmpty("auto_explain must have reported the statements");
        ran.Should().NotContain(r => r.Statement.Kind == PlanKind.Repartition, "no statement may shuffle rows between workers");
        var reads = ran.Where(r => r.Operation.StartsWith("read", StringComparison.Ordinal) || r.Operation.StartsWith("series", StringComparison.Ordinal)
                                   || r.Operation.StartsWith("page", StringComparison.Ordinal) || r.Operation == "status").ToList();
        reads.Where(r => r.Operation != "status").Should().OnlyContain(r => r.Statement.Kind == PlanKind.Router || r.Statement.Kind == PlanKind.Local,
            "a read of one team runs on that team's shard alone");
        ran.Except(reads).Where(r => r.Statement.Kind == PlanKind.Coordinator)
            .Should().OnlyContain(r => CoordinatorProbes.Any(p => r.Statement.QueryText.Contains(p.Phrase, StringComparison.Ordinal)),
                "maintenance runs shard by shard except for the listed one-row probes");
    }

    private static async Task AssertExactEverywhereAsync(CitusHarness h, string because, ReadMode mode = ReadMode.Cached)
    {
        foreach (var team in Teams)
        {
            await h.AssertExactAsync(team, because, mode);
        }
    }

    /// <summary>Sessions with human and bot messages (bot replies tagged with a version) at random times in [from, to).</summary>
    private static async Task<List<(long Team, long Id)>> SeedAsync(CitusHarness h, Random random, int count, DateTime from, DateTime to, long[]? experiments = null)
    {
        var made = new List<(long Team, long Id)>();
        for (var i = 0; i < count; i++)
        {
            var team = Teams[random.Next(Teams.Length)];
            var experiment = (experiments ?? Experiments)[random.Next((experiments ?? Experiments).Length)];
            long? participant = random.Next(6) == 0 ? null : 100 + random.Next(1, 30);
            var at = Trim(from + ((to - from) * random.NextDouble()));
            var id = await h.Data.AddSessionAsync(team, experiment, participant, at);
            made.Add((team, id));
            var times = Enumerable.Range(0, random.Next(0, 4)).Select(_ => Trim(Min(at.AddMinutes(random.Next(0, 90)), to.AddTicks(-10)))).ToList();
            await h.Data.AddMessagesAsync(team, experiment, id, times, human: true, version: random.Next(3) == 0 ? null : Labels[random.Next(Labels.Length)]);
            await h.Data.AddMessagesAsync(team, experiment, id, [Trim(Min(at.AddMinutes(1), to.AddTicks(-10)))], human: false, version: Labels[random.Next(Labels.Length)]);
        }

        return made;
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Trim(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
}

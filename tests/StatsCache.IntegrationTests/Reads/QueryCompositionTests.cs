using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Storage;

namespace StatsCache.IntegrationTests.Reads;

/// <summary>
/// A host sorts and pages its own entity query by cached statistics: one SQL statement that
/// PostgreSQL executes, with the page's order and contents equal to the live numbers.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QueryCompositionTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task ExperimentsPageSortedByLastActivityIsOneStatementAndMatchesLiveNumbers()
    {
        await using var h = await SeedAsync(server, seed: 7);
        var commands = new CommandCounter();
        await using var db = NewContext(h, commands);

        for (var skip = 0; skip < 40; skip += 10)
        {
            commands.Count = 0;
            var page = await (
                    from e in db.Experiments
                    where e.TeamId == 1
                    join s in db.Set<ExperimentStatistics>().AsNoTracking() on new { e.TeamId, ExperimentId = e.Id } equals new { s.TeamId, s.ExperimentId } into stats
                    from s in stats.DefaultIfEmpty()
                    orderby s == null ? DateTime.MinValue : s.LastActivityOrMinValue descending, e.Id
                    select new
                    {
                        e.Id,
                        Sessions = s == null ? 0 : s.SessionCount,
                        Participants = s == null ? 0 : s.ParticipantCount,
                        Messages = s == null ? 0 : s.HumanMessageCount,
                        LastActivity = s == null ? null : s.LastActivity,
                    })
                .Skip(skip).Take(10)
                .ToListAsync();

            commands.Count.Should().Be(1, "the page must be one statement, sorted and paged by PostgreSQL");
            var live = await h.Live.ExperimentsAsync(1, h.Now);
            var expected = Enumerable.Range(1, 35).Select(id => (long)id)
                .Select(id => live.TryGetValue(id, out var t) ? new { Id = id, Sessions = t.SessionCount, Participants = t.ParticipantCount, Messages = t.HumanMessageCount, t.LastActivity } : new { Id = id, Sessions = 0L, Participants = 0L, Messages = 0L, LastActivity = (DateTime?)null })
                .OrderByDescending(x => x.LastActivity ?? DateTime.MinValue).ThenBy(x => x.Id)
                .Skip(skip).Take(10)
                .ToList();
            page.Should().Equal(expected, (a, b) => a.Id == b.Id && a.Sessions == b.Sessions && a.Participants == b.Participants && a.Messages == b.Messages && a.LastActivity == b.LastActivity, "page at {0}", skip);
        }
    }

    [Fact]
    public async Task SessionsPageIsDrivenByTheSessionRowsAndListsInactiveSessionsLast()
    {
        await using var h = await SeedAsync(server, seed: 11);
        var commands = new CommandCounter();
        await using var db = NewContext(h, commands);
        var live = await h.Live.SessionsAsync(1, h.Now);
        var ofExperiment = (await db.Sessions.Where(s => s.TeamId == 1 && s.ExperimentId == 3).Select(s => s.Id).ToListAsync()).ToHashSet();
        ofExperiment.Should().NotBeEmpty();

        for (var skip = 0; skip < ofExperiment.Count + 5; skip += 7)
        {
            commands.Count = 0;
            var page = await (
                    from st in db.Set<SessionStatistics>()
                    where st.TeamId == 1 && st.ExperimentId == 3
                    join s in db.Sessions on new { st.TeamId, Id = st.SessionId } equals new { s.TeamId, s.Id }
                    orderby st.LastActivityOrMinValue descending, st.SessionId
                    select new { s.Id, st.HumanMessageCount, st.LastActivity })
                .Skip(skip).Take(7)
                .ToListAsync();

            commands.Count.Should().Be(1);
            var expected = live.Where(t => ofExperiment.Contains(t.Key))
                .OrderByDescending(t => t.Value.LastActivity ?? DateTime.MinValue).ThenBy(t => t.Key)
                .Skip(skip).Take(7)
                .Select(t => new { Id = t.Key, HumanMessageCount = t.Value.HumanMessageCount, t.Value.LastActivity })
                .ToList();
            page.Should().Equal(expected, "page at {0}", skip);
        }
    }

    [Fact]
    public async Task SessionsPagePlanIsAnIndexScanWithoutASort()
    {
        await using var h = await SeedAsync(server, seed: 3);
        await using var db = NewContext(h, new CommandCounter());
        var query = (
                from st in db.Set<SessionStatistics>()
                where st.TeamId == 1 && st.ExperimentId == 3
                orderby st.LastActivityOrMinValue descending, st.SessionId
                select st.SessionId)
            .Take(50);
        // ToQueryString declares parameters in leading "-- @name='value'" comments: inline them.
        var lines = query.ToQueryString().Split('\n');
        var sql = string.Join('\n', lines.Where(l => !l.StartsWith("--", StringComparison.Ordinal)));
        foreach (var declaration in lines.Where(l => l.StartsWith("-- @", StringComparison.Ordinal)))
        {
            var name = declaration[3..declaration.IndexOf('=', StringComparison.Ordinal)];
            sql = sql.Replace(name, declaration[(declaration.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('\'', ' ', '\r'), StringComparison.Ordinal);
        }

        await using var command = h.Db.CreateCommand("SET enable_seqscan = off; EXPLAIN " + sql);
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            do
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(0));
                }
            }
            while (await reader.NextResultAsync());
        }

        var text = string.Join('\n', plan);
        text.Should().Contain("ix_statscache_session_statistics_last_activity", "the page must be read in index order").And.NotContain("Sort");
    }

    private static HostDbContext NewContext(CacheHarness h, CommandCounter commands) =>
        new(new DbContextOptionsBuilder<HostDbContext>().UseNpgsql(h.ConnectionString).AddInterceptors(commands).Options);

    /// <summary>Two teams; team 1 has 35 experiments, some idle, with random sessions and messages; refreshed.</summary>
    private static async Task<CacheHarness> SeedAsync(PostgresServer server, int seed)
    {
        var h = await CacheHarness.CreateAsync(server, Start);
        var random = new Random(seed);
        await using (var db = NewContext(h, new CommandCounter()))
        {
            db.Experiments.AddRange(Enumerable.Range(1, 35).Select(i => new Experiment { Id = i, TeamId = 1, Name = $"bot {i}" }));
            db.Experiments.Add(new Experiment { Id = 99, TeamId = 2, Name = "other team" });
            await db.SaveChangesAsync();
        }

        for (var i = 0; i < 120; i++)
        {
            var team = i % 10 == 0 ? 2 : 1;
            var experiment = team == 2 ? 99 : 1 + random.Next(30); // 31..35 stay idle
            if (i < 40)
            {
                experiment = team == 2 ? 99 : 3; // a busy experiment for the sessions page
            }

            var at = Start.AddMinutes(-random.Next(60 * 24 * 40));
            var session = await h.Data.AddSessionAsync(team, experiment, 1 + random.Next(25), at);
            var messages = random.Next(4); // some sessions have no human message at all
            if (messages > 0)
            {
                await h.Data.AddMessagesAsync(team, experiment, session, Enumerable.Range(0, messages).Select(m => at.AddMinutes(m * 3 + random.Next(3))).ToList(), true, $"v{random.Next(3)}");
            }
        }

        (await h.Cache.RefreshAsync()).Initialized.Should().BeTrue();
        return h;
    }

    /// <summary>Counts the commands EF Core sends: one page, one command.</summary>
    private sealed class CommandCounter : DbCommandInterceptor
    {
        public int Count { get; set; }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Count++;
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}

using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Storage;

namespace StatsCache.IntegrationTests.Measures;

/// <summary>
/// A host sorts and pages its chatbots by one of its own measures (<c>tokens_used</c>) with EF Core, composing
/// <c>dbContext.Set&lt;ExperimentMeasure&gt;()</c> into its query with a LEFT JOIN (an experiment without a row reads
/// as 0): one SQL statement per page, whose order and values equal the live SQL over the host's messages — in both
/// directions, after the first build and after a later refresh, and without another team's rows.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MeasureSortPageTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task AChatbotsPageSortedAndPagedByTokensUsedIsOneStatementAndEqualsTheLiveSql()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, measures: true);
        var random = new Random(23);
        await using (var db = NewContext(h, new CommandCounter()))
        {
            db.Experiments.AddRange(Enumerable.Range(1, 35).Select(i => new Experiment { Id = i, TeamId = 1, Name = $"bot {i}" }));
            db.Experiments.Add(new Experiment { Id = 99, TeamId = 2, Name = "other team" });
            await db.SaveChangesAsync();
        }

        await SeedAsync(h, random, Start.AddDays(-40), 120);
        (await h.Cache.RefreshAsync()).Initialized.Should().BeTrue();
        await AssertPagesAsync(h, "after the first build");

        h.Advance(TimeSpan.FromHours(5));
        await SeedAsync(h, random, h.Now.AddHours(-5), 40);
        await h.Cache.RefreshAsync();
        await AssertPagesAsync(h, "after a refresh");
    }

    private static async Task AssertPagesAsync(CacheHarness h, string when)
    {
        var commands = new CommandCounter();
        await using var db = NewContext(h, commands);
        var live = await h.Live.ExperimentsAsync(1, h.Now);
        live.Values.Should().Contain(t => t.Measures[HostWiring.TokensUsed] > 0, "the seed gives some experiments tokens");
        foreach (var descending in new[] { true, false })
        {
            for (var skip = 0; skip < 40; skip += 10)
            {
                commands.Count = 0;
                var query =
                    from e in db.Experiments
                    where e.TeamId == 1
                    join t in db.Set<ExperimentMeasure>().AsNoTracking().Where(m => m.Measure == HostWiring.TokensUsed)
                        on new { e.TeamId, ExperimentId = e.Id } equals new { t.TeamId, t.ExperimentId } into tokens
                    from t in tokens.DefaultIfEmpty()
                    join b in db.Set<ExperimentMeasure>().AsNoTracking().Where(m => m.Measure == HostWiring.BotMessages)
                        on new { e.TeamId, ExperimentId = e.Id } equals new { b.TeamId, b.ExperimentId } into bots
                    from b in bots.DefaultIfEmpty()
                    select new { e.Id, Tokens = t == null ? 0 : t.Value, BotMessages = b == null ? 0 : b.Value };
                var ordered = descending
                    ? query.OrderByDescending(r => r.Tokens).ThenBy(r => r.Id)
                    : query.OrderBy(r => r.Tokens).ThenBy(r => r.Id);
                var page = (await ordered.Skip(skip).Take(10).ToListAsync()).Select(r => new Row(r.Id, r.Tokens, r.BotMessages)).ToList();

                commands.Count.Should().Be(1, "the page is one statement, sorted and paged by PostgreSQL");
                var rows = Enumerable.Range(1, 35).Select(id => (long)id)
                    .Select(id => live.TryGetValue(id, out var s) ? new Row(id, s.Measures[HostWiring.TokensUsed], s.Measures[HostWiring.BotMessages]) : new Row(id, 0, 0));
                var expected = (descending ? rows.OrderByDescending(r => r.Tokens) : rows.OrderBy(r => r.Tokens)).ThenBy(r => r.Id).Skip(skip).Take(10).ToList();
                page.Should().Equal(expected, "the page at {0} ({1}) equals the live SQL {2}", skip, descending ? "most tokens first" : "fewest first", when);
            }
        }
    }

    /// <summary>Sessions of team 1 (experiments 1 … 30; 31 … 35 stay idle) and of team 2 (experiment 99, many tokens), each with human and bot messages, some tokens null.</summary>
    private static async Task SeedAsync(CacheHarness h, Random random, DateTime from, int sessions)
    {
        var span = (int)(h.Now - from).TotalMinutes;
        for (var i = 0; i < sessions; i++)
        {
            var team = i % 10 == 0 ? 2 : 1;
            var experiment = team == 2 ? 99 : 1 + random.Next(30);
            var at = from.AddMinutes(random.Next(span - 30));
            var session = await h.Data.AddSessionAsync(team, experiment, 1 + random.Next(25), at);
            var humans = Enumerable.Range(0, random.Next(4)).Select(m => at.AddMinutes(m * 3)).ToList();
            await h.Data.AddMessagesAsync(team, experiment, session, humans, human: true, tokens: humans.Select(_ => random.Next(3) == 0 ? (int?)null : random.Next(200)).ToList());
            var bots = Enumerable.Range(0, random.Next(3)).Select(m => at.AddMinutes(m * 3 + 1)).ToList();
            await h.Data.AddMessagesAsync(team, experiment, session, bots, human: false, tokens: bots.Select(_ => random.Next(4) == 0 ? (int?)null : (team == 2 ? 100_000 : random.Next(3000))).ToList());
        }
    }

    private static HostDbContext NewContext(CacheHarness h, CommandCounter commands) =>
        new(new DbContextOptionsBuilder<HostDbContext>().UseNpgsql(h.ConnectionString).AddInterceptors(commands).Options);

    private sealed record Row(long Id, long Tokens, long BotMessages);

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

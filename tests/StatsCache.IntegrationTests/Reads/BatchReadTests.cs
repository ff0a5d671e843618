using Microsoft.Extensions.DependencyInjection;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Reads;

/// <summary>Batch reads: scoped to a team, zeros for unknown ids, any list size.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchReadTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 2, 1, 12, 0, 0, DateTimeKind.Utc);

    private static async Task<CacheHarness> TwoTeamsAsync(PostgresServer server)
    {
        var h = await CacheHarness.CreateAsync(server, Start);
        var a = await h.Data.AddSessionAsync(1, 10, 1, Start.AddHours(-5));
        await h.Data.AddMessagesAsync(1, 10, a, Start.AddHours(-5), 2, "v1");
        var b = await h.Data.AddSessionAsync(2, 20, 2, Start.AddHours(-4));
        await h.Data.AddMessagesAsync(2, 20, b, Start.AddHours(-4), 7, "secret-version");
        await h.Cache.RefreshAsync();
        return h;
    }

    [Fact]
    public async Task IdsOfAnotherTeamReadAsZerosAndRevealNothing()
    {
        await using var h = await TwoTeamsAsync(server);
        var teamBSession = (await h.Live.SessionsAsync(2, h.Now)).Keys.Single();

        var experiments = await h.Cache.GetExperimentTotalsAsync(1, [10, 20]);
        var sessions = await h.Cache.GetSessionTotalsAsync(1, [teamBSession]);

        experiments[10].HumanMessageCount.Should().Be(2);
        experiments[20].Should().Be(ExperimentStats.Empty, "team 1 must not see team 2's experiment");
        sessions[teamBSession].Should().BeEquivalentTo(SessionStats.Empty, "team 1 must not see team 2's session or its versions");
        (await h.Cache.GetExperimentBucketsAsync(1, 20)).Should().BeEmpty();
        (await h.Cache.GetExperimentTotalsAsync(2, [20]))[20].HumanMessageCount.Should().Be(7);
    }

    [Fact]
    public async Task PreparedAndUnpreparedReadsAgreeWithTheLiveQueryAcrossRefreshesOnReusedConnections()
    {
        await using var h = await TwoTeamsAsync(server);
        await using var unprepared = h.NewInstance(o => o.PrepareReads = false);
        var plain = unprepared.GetRequiredService<IStatisticsCache>();

        // Three rounds on the same pooled connections: a prepared read is planned once and still sees new rows.
        for (var round = 0; round < 3; round++)
        {
            var live = await h.Live.ExperimentsAsync(1, h.Now);
            var liveSessions = await h.Live.SessionsAsync(1, h.Now);
            foreach (var cache in new[] { h.Cache, plain })
            {
                var experiments = await cache.GetExperimentTotalsAsync(1, [10, 20, 999]);
                experiments[10].Should().Be(live[10], $"round {round}");
                experiments[20].Should().Be(ExperimentStats.Empty);
                experiments[999].Should().Be(ExperimentStats.Empty);
                var sessions = await cache.GetSessionTotalsAsync(1, liveSessions.Keys);
                sessions.Should().BeEquivalentTo(liveSessions, $"round {round}");
            }

            var session = await h.Data.AddSessionAsync(1, 10, 100 + round, h.Now);
            await h.Data.AddMessagesAsync(1, 10, session, h.Now, round + 1, "v" + round);
            h.Advance(TimeSpan.FromMinutes(30));
            await h.Cache.RefreshAsync();
        }
    }

    [Fact]
    public async Task UnknownNullEmptyAndDuplicateIdsAreHandled()
    {
        await using var h = await TwoTeamsAsync(server);

        (await h.Cache.GetExperimentTotalsAsync(1, null)).Should().BeEmpty();
        (await h.Cache.GetExperimentTotalsAsync(1, [])).Should().BeEmpty();
        (await h.Cache.GetSessionTotalsAsync(1, null)).Should().BeEmpty();
        var unknown = await h.Cache.GetExperimentTotalsAsync(1, [999, 10, 10, 999]);
        unknown.Should().HaveCount(2);
        unknown[999].Should().Be(ExperimentStats.Empty);
        unknown[10].SessionCount.Should().Be(1);
        (await h.Cache.GetExperimentTotalsAsync(77, [10]))[10].Should().Be(ExperimentStats.Empty, "an unknown team sees nothing");
    }

    [Fact]
    public async Task AHundredThousandIdsWorkInOneCall()
    {
        await using var h = await TwoTeamsAsync(server);
        var ids = Enumerable.Range(1, 100_000).Select(i => (long)i).ToList();

        var experiments = await h.Cache.GetExperimentTotalsAsync(1, ids);
        var sessions = await h.Cache.GetSessionTotalsAsync(1, ids);

        experiments.Should().HaveCount(100_000);
        experiments[10].HumanMessageCount.Should().Be(2);
        experiments.Values.Sum(t => t.HumanMessageCount).Should().Be(2);
        sessions.Should().HaveCount(100_000);
        sessions.Values.Sum(t => t.HumanMessageCount).Should().Be(2);
    }

    [Fact]
    public async Task ANonUtcDateIsRejectedWithAClearError()
    {
        await using var h = await TwoTeamsAsync(server);

        var local = () => h.Cache.BackfillAsync(new BackfillRequest { From = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Local) });
        var unspecified = () => h.Cache.BackfillAsync(new BackfillRequest { From = new DateTime(2024, 1, 1) });

        (await local.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("UTC").And.Contain("Kind=Local");
        (await unspecified.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("UTC").And.Contain("Kind=Unspecified");
        await h.AssertExactAsync(1);
    }

    [Fact]
    public async Task SessionRowsCarryTheirSortedDistinctVersions()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var s = await h.Data.AddSessionAsync(1, 10, 1, Start.AddHours(-3));
        await h.Data.AddMessagesAsync(1, 10, s, Start.AddHours(-3), 1, "v2");
        await h.Data.AddMessagesAsync(1, 10, s, Start.AddHours(-2), 2, "v10");
        await h.Cache.RefreshAsync();
        // The bot reply carrying a new version lands after the refresh that counted the human message.
        await h.Data.AddMessagesAsync(1, 10, s, [Start.AddMinutes(-1)], human: false, version: "v1");
        h.Advance(TimeSpan.FromMinutes(3));
        await h.Cache.RefreshAsync();

        var totals = (await h.Cache.GetSessionTotalsAsync(1, [s]))[s];
        totals.Versions.Should().Equal("v1", "v10", "v2");
        totals.HumanMessageCount.Should().Be(3);
        totals.LastActivity.Should().Be(Start.AddHours(-2));
        await h.AssertExactAsync(1);
    }
}

using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Reads;

/// <summary>
/// Real-time and live reads: the same result types as cached reads, exact before the first build
/// and between refreshes, scoped to the team, and served by the host's indexes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReadModeTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 6, 3, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task BeforeTheFirstBuildEveryReadModeReadsTheSource()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h);

        await h.AssertExactAsync(1, "before any build", ReadMode.RealTime);
        await h.AssertExactAsync(1, "before any build", ReadMode.Live);
        await h.AssertExactAsync(1, "before any build: cached reads fall back to live", ReadMode.Cached);
        (await h.Cache.GetExperimentTotalsAsync(1, [10], ReadMode.Cached))[10].HumanMessageCount.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task LiveEqualsCachedAfterARefresh()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var sessions = await SeedAsync(h);
        await h.Cache.RefreshAsync();

        var cached = await h.Cache.GetExperimentTotalsAsync(1, [10, 11, 12], ReadMode.Cached);
        var live = await h.Cache.GetExperimentTotalsAsync(1, [10, 11, 12], ReadMode.Live);
        live.Should().BeEquivalentTo(cached);
        live[10].HumanMessageCount.Should().BeGreaterThan(0);
        (await h.Cache.GetSessionTotalsAsync(1, sessions, ReadMode.Live)).Should().BeEquivalentTo(await h.Cache.GetSessionTotalsAsync(1, sessions, ReadMode.Cached));
    }

    [Fact]
    public async Task RealTimeCountsAReturningParticipantOnceAndANewOneAtOnce()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h);
        await h.Cache.RefreshAsync();
        var before = (await h.Cache.GetExperimentTotalsAsync(1, [10], ReadMode.RealTime))[10];

        h.Advance(TimeSpan.FromMinutes(5));
        var returning = await h.Data.AddSessionAsync(1, 10, 101, h.Now.AddMinutes(-2)); // seen before
        await h.Data.AddMessagesAsync(1, 10, returning, h.Now.AddMinutes(-1), 2, "v9");
        await h.Data.AddSessionAsync(1, 10, 999, h.Now.AddMinutes(-1));                  // new

        var after = (await h.Cache.GetExperimentTotalsAsync(1, [10], ReadMode.RealTime))[10];
        after.SessionCount.Should().Be(before.SessionCount + 2);
        after.ParticipantCount.Should().Be(before.ParticipantCount + 1, "participant 101 was already counted");
        after.HumanMessageCount.Should().Be(before.HumanMessageCount + 2);
        after.LastActivity.Should().Be(h.Now.AddMinutes(-1));
        (await h.Cache.GetSessionTotalsAsync(1, [returning], ReadMode.RealTime))[returning].Versions.Should().Equal("v9");
        (await h.Cache.GetExperimentTotalsAsync(1, [10], ReadMode.Cached))[10].Should().Be(before, "cached reads wait for the refresh");
        await h.AssertExactAsync(1, "after new rows", ReadMode.RealTime);
    }

    [Fact]
    public async Task RealTimeAndLiveReadsRevealNothingOfAnotherTeam()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h);
        await h.Cache.RefreshAsync();
        h.Advance(TimeSpan.FromMinutes(3));
        var secret = await h.Data.AddSessionAsync(2, 20, 7, h.Now.AddMinutes(-1));
        await h.Data.AddMessagesAsync(2, 20, secret, h.Now.AddMinutes(-1), 3, "secret");

        foreach (var mode in new[] { ReadMode.RealTime, ReadMode.Live })
        {
            (await h.Cache.GetExperimentTotalsAsync(1, [20], mode))[20].Should().Be(ExperimentStats.Empty, "{0}", mode);
            (await h.Cache.GetSessionTotalsAsync(1, [secret], mode))[secret].Should().BeEquivalentTo(SessionStats.Empty, "{0}", mode);
            (await h.Cache.GetExperimentTotalsAsync(2, [20], mode))[20].HumanMessageCount.Should().Be(4 + 3, "team 2 itself sees its new messages");
        }
    }

    [Fact]
    public async Task TheRealTimeTailIsReadThroughTheHostsIndexes()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h);
        await h.Cache.RefreshAsync();

        // With sequential scans priced out, the plan shows whether an index can serve each tail read:
        // created_at for sessions and messages of an experiment page, (session_id, created_at) for sessions.
        var experimentsPlan = await ExplainAsync(h, Sql(h).ExperimentTotals, "'{10,11}'::bigint[]");
        var sessionsPlan = await ExplainAsync(h, Sql(h).SessionTotals, "'{1,2}'::bigint[]");
        foreach (var plan in new[] { experimentsPlan, sessionsPlan })
        {
            plan.Should().NotContain("Seq Scan on chat_messages").And.NotContain("Seq Scan on chat_sessions").And.NotContain("Seq Scan on message_versions");
        }

        experimentsPlan.Should().Contain("ix_chat_messages_created_at").And.Contain("ix_chat_sessions_created_at");
        sessionsPlan.Should().Contain("ix_chat_messages_session_id_created_at");
    }

    private static (string ExperimentTotals, string SessionTotals) Sql(CacheHarness h)
    {
        var env = (StatsCache.Internal.CacheEnvironment)h.Services.GetService(typeof(StatsCache.Internal.CacheEnvironment))!;
        return (StatsCache.Sql.TailReadSql.ExperimentTotals(env.Sql), StatsCache.Sql.TailReadSql.SessionTotals(env.Sql));
    }

    private static async Task<string> ExplainAsync(CacheHarness h, string sql, string ids)
    {
        var text = sql.Replace("@live", "false", StringComparison.Ordinal).Replace("@cache", "'default'", StringComparison.Ordinal)
            .Replace("@team", "1", StringComparison.Ordinal).Replace("@ids", ids, StringComparison.Ordinal);
        await using var connection = await h.Db.OpenConnectionAsync();
        await using (var off = connection.CreateCommand())
        {
            off.CommandText = "SET enable_seqscan = off";
            await off.ExecuteNonQueryAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN " + text;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines).ToLowerInvariant().Replace("seq scan", "Seq Scan", StringComparison.Ordinal);
    }

    /// <summary>Team 1: experiments 10–12, participants 100–104; team 2: experiment 20. Returns team 1's sessions.</summary>
    private static async Task<List<long>> SeedAsync(CacheHarness h)
    {
        var sessions = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            var at = Start.AddHours(-3 * i - 1);
            var session = await h.Data.AddSessionAsync(1, 10 + i % 3, 100 + i % 5, at);
            sessions.Add(session);
            await h.Data.AddMessagesAsync(1, 10 + i % 3, session, at.AddMinutes(5), i % 4, $"v{i % 2}");
        }

        var other = await h.Data.AddSessionAsync(2, 20, 7, Start.AddHours(-2));
        await h.Data.AddMessagesAsync(2, 20, other, Start.AddHours(-2), 4, "secret");
        return sessions;
    }
}

using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// Ids unique only within a team: sessions keyed (team_id, id), version tags carrying their team
/// (<c>MapVersions(v =&gt; new { v.TeamId, … })</c>). Teams 1 and 2 both own session 42 of experiment 7
/// with participant 100; each team must see exactly its own totals — batch, session (counts, last
/// activity, versions), real-time, live and experiment totals — after backfill, refresh, late rows,
/// compress and tracked changes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TeamScopedIdsTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 4, 10, 12, 0, 0, DateTimeKind.Utc);
    private static readonly long[] Teams = [1, 2];

    [Fact]
    public async Task TwoTeamsSharingSessionExperimentAndParticipantIdsEachGetExactlyTheirOwnTotals()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, shape: HostShape.TeamScopedIds);
        await SeedAsync(h);

        await h.Cache.RefreshAsync(); // first build: a full backfill in monthly, daily and hourly chunks
        await AssertEveryModeExactAsync(h, "after the first build");
        var sessions1 = await h.Cache.GetSessionTotalsAsync(1, [42, 43]);
        var sessions2 = await h.Cache.GetSessionTotalsAsync(2, [42, 43]);
        sessions1[42].Should().BeEquivalentTo(new SessionStats { HumanMessageCount = 3, LastActivity = Start.AddDays(-40).AddHours(2), Versions = ["t1-a"] }, "team 1's session 42 is its own");
        sessions2[42].Should().BeEquivalentTo(new SessionStats { HumanMessageCount = 5, LastActivity = Start.AddDays(-2).AddHours(5), Versions = ["t2-b"] }, "team 2's session 42 is its own");
        sessions1[43].HumanMessageCount.Should().Be(1);
        sessions2[43].HumanMessageCount.Should().Be(2);
        (await h.Cache.GetExperimentTotalsAsync(1, [7]))[7].Should().Be(new ExperimentStats { SessionCount = 2, ParticipantCount = 2, HumanMessageCount = 4, LastActivity = Start.AddDays(-10).AddMinutes(1) });
        (await h.Cache.GetExperimentTotalsAsync(2, [7]))[7].Should().Be(new ExperimentStats { SessionCount = 2, ParticipantCount = 1, HumanMessageCount = 7, LastActivity = Start.AddDays(-2).AddHours(5) });

        // Rows since the watermark: real-time and live reads of team 1 must not see team 2's.
        h.Advance(TimeSpan.FromMinutes(10));
        await h.Data.AddMessagesAsync(2, 7, 42, [h.Now.AddMinutes(-5)], human: true, version: "t2-tail");
        await h.Data.AddMessagesAsync(1, 7, 42, [h.Now.AddMinutes(-4)], human: true, version: "t1-tail");
        await AssertEveryModeExactAsync(h, "with rows since the watermark", cached: false); // cached reads are as fresh as the watermark

        // A refresh over both sessions 42 (each recounted whole, by team).
        h.Advance(TimeSpan.FromMinutes(30));
        await h.Data.AddMessagesAsync(2, 7, 42, [h.Now.AddMinutes(-20), h.Now.AddMinutes(-19)], human: true, version: "t2-c");
        await h.Cache.RefreshAsync();
        await AssertEveryModeExactAsync(h, "after a refresh");

        // Late rows far beyond the look-back, then a full backfill and a reconcile of their range.
        await h.Data.AddMessagesAsync(1, 7, 42, [Start.AddDays(-39)], human: true, version: "t1-late");
        await h.Data.AddMessagesAsync(2, 7, 43, [Start.AddDays(-9)], human: true, version: "t2-late");
        await h.Cache.BackfillAsync();
        await AssertEveryModeExactAsync(h, "after a full backfill with late rows");
        await h.Data.AddMessagesAsync(2, 7, 42, [Start.AddDays(-3)], human: true, version: "t2-late2");
        await h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-4), To = Start.AddDays(-1) });
        await AssertEveryModeExactAsync(h, "after a reconcile with a late row");

        // Compression rolls the hours and days up; nothing changes.
        h.Advance(TimeSpan.FromDays(3));
        await h.Cache.RefreshAsync();
        await h.Cache.CompressAsync();
        await AssertEveryModeExactAsync(h, "after compression");
        foreach (var team in Teams)
        {
            var series = await h.Cache.GetExperimentSeriesAsync(team, [7], new SeriesRequest { From = Start.AddDays(-60), To = h.Now, Granularity = BucketSize.Month });
            var totals = (await h.Cache.GetExperimentTotalsAsync(team, [7]))[7];
            series[7].Sum(p => p.HumanMessageCount).Should().Be(totals.HumanMessageCount, "team {0}'s series holds its own messages only", team);
            series[7].Sum(p => p.SessionCount).Should().Be(totals.SessionCount, "team {0}'s series holds its own sessions only", team);
        }
    }

    [Fact]
    public async Task TrackedChangesToSharedSessionIdsAreAppliedToTheRightTeam()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, o =>
        {
            o.Deletions = SourceDeletions.Mirror;
            o.ChangeTracking = true;
            o.HumanMessages.ChangeTrackingTable = "chat_messages";
        }, HostShape.TeamScopedIds);
        await SeedAsync(h);
        await h.Data.AddMessagesAsync(2, 7, 42, [Start.AddDays(-3)], human: true); // a day of its own, before the session's start
        await h.Cache.EnableChangeTrackingAsync();
        await h.Cache.RefreshAsync();
        await AssertEveryModeExactAsync(h, "after the first build");

        // Beyond the refresh window: a version retagged on team 1's session 42 (a tag records no experiment:
        // it is found through its session, by team) and a late message in it; team 2's session 43 erased —
        // team 1's session 43 stays; and team 2's session 42 loses its message of a day before its start,
        // outside every range the changes reconcile: only the recount of the pair (team 2, session 42) sees it.
        await ExecuteAsync(h, "UPDATE message_versions SET version_label = 't1-retagged' WHERE team_id = 1 AND session_id = 42");
        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE team_id = 2 AND session_id = 42 AND created_at = '{Start.AddDays(-3):O}'");
        await h.Data.AddMessagesAsync(1, 7, 42, [Start.AddDays(-38)], human: true);
        await ExecuteAsync(h, """
            DELETE FROM message_versions WHERE team_id = 2 AND session_id = 43;
            DELETE FROM chat_messages WHERE team_id = 2 AND session_id = 43;
            DELETE FROM chat_sessions WHERE team_id = 2 AND id = 43;
            """);
        h.Advance(TimeSpan.FromMinutes(2));
        await h.Cache.RefreshAsync();

        await AssertEveryModeExactAsync(h, "after the refresh applied the tracked changes");
        (await h.Cache.GetSessionTotalsAsync(1, [42]))[42].Versions.Should().Equal("t1-retagged");
        (await h.Cache.GetSessionTotalsAsync(2, [42]))[42].Versions.Should().Equal("t2-b");
        (await h.Cache.GetSessionTotalsAsync(2, [42]))[42].HumanMessageCount.Should().Be(5, "the erased message of team 2's session 42 is gone");
        (await h.Cache.GetSessionTotalsAsync(1, [43]))[43].HumanMessageCount.Should().Be(1, "team 1's session 43 is not the erased one");
    }

    /// <summary>
    /// Team 1 and team 2 each have session 42 (experiment 7, participant 100) and 43 (experiment 7), at
    /// different times and with different messages and version tags.
    /// </summary>
    private static async Task SeedAsync(CacheHarness h)
    {
        await h.Data.AddSessionAsync(42, 1, 7, 100, Start.AddDays(-40));
        await h.Data.AddMessagesAsync(1, 7, 42, [Start.AddDays(-40).AddMinutes(1), Start.AddDays(-40).AddHours(1), Start.AddDays(-40).AddHours(2)], human: true, version: "t1-a");
        await h.Data.AddSessionAsync(43, 1, 7, 101, Start.AddDays(-10));
        await h.Data.AddMessagesAsync(1, 7, 43, [Start.AddDays(-10).AddMinutes(1)], human: true);

        await h.Data.AddSessionAsync(42, 2, 7, 100, Start.AddDays(-2));
        await h.Data.AddMessagesAsync(2, 7, 42, Enumerable.Range(1, 5).Select(i => Start.AddDays(-2).AddHours(i)).ToList(), human: true, version: "t2-b");
        await h.Data.AddMessagesAsync(2, 7, 42, [Start.AddDays(-2).AddHours(6)], human: false, version: "t2-b");
        await h.Data.AddSessionAsync(43, 2, 7, 100, Start.AddDays(-20));
        await h.Data.AddMessagesAsync(2, 7, 43, [Start.AddDays(-20).AddMinutes(3), Start.AddDays(-20).AddMinutes(4)], human: true, version: "t2-x");
    }

    /// <summary>Every experiment and session total of both teams equals the live SQL, in every read mode.</summary>
    private static async Task AssertEveryModeExactAsync(CacheHarness h, string because, bool cached = true)
    {
        foreach (var team in Teams)
        {
            foreach (var mode in cached ? [ReadMode.Cached, ReadMode.RealTime, ReadMode.Live] : new[] { ReadMode.RealTime, ReadMode.Live })
            {
                await h.AssertExactAsync(team, because, mode);
            }
        }
    }

    private static async Task ExecuteAsync(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

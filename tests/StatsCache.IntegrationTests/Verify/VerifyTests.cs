using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Maintenance;

namespace StatsCache.IntegrationTests.Verify;

/// <summary>
/// Verify compares the source with the cache per stored bucket range and repairs what differs:
/// rows imported with old timestamps after the first build (missed forever by refreshes) are found
/// and counted; under KeepHistory a purge is reported, not lowered; under Mirror it is lowered.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class VerifyTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 3, 10, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task SixtyDaysImportedAfterTheFirstBuildAreFoundAndRepairedExactly()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var existing = await BuildAsync(h);

        // A bulk import of history: 60 days of sessions and messages with old timestamps, plus
        // messages imported late into sessions the cache already has a row for.
        await ImportHistoryAsync(h, days: 60);
        foreach (var session in existing.Take(3))
        {
            await h.Data.AddMessagesAsync(1, 10, session, h.Now.AddDays(-20), 2);
        }

        await h.Cache.RefreshAsync();
        var live = await h.Live.ExperimentsAsync(1, h.Now);
        var cached = await h.Cache.GetExperimentTotalsAsync(1, live.Keys);
        cached[10].SessionCount.Should().BeLessThan(live[10].SessionCount, "refreshes never see rows older than the look-back");

        var result = await h.Cache.VerifyAsync();

        result.Clean.Should().BeTrue();
        result.RangesChecked.Should().BeGreaterThan(30, "months, days and hours are each compared");
        result.Ranges.Should().NotBeEmpty().And.OnlyContain(r => r.Verdict == RangeVerdict.Repaired && r.After == r.Source);
        result.Ranges.Select(r => r.Size).Distinct().Should().Contain([BucketSize.Month, BucketSize.Day]);
        result.Changes.Should().Contain(c => c.TeamId == 1 && c.ExperimentId == 10);
        await h.AssertExactAsync(1, "after verify");
        await h.AssertExactAsync(2, "after verify");

        var again = await h.Cache.VerifyAsync();
        again.Ranges.Should().BeEmpty("a verify after a repair finds nothing");
        (await h.Cache.GetStatusAsync()).RecentRuns.Select(r => r.Operation).Should().Contain(Verifier.Operation).And.Contain(Reconciler.Operation);
    }

    [Fact]
    public async Task UnderKeepHistoryAPurgedRangeIsReportedAndKeptNotLowered()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await BuildAsync(h);
        var before = await h.Cache.GetExperimentTotalsAsync(1, [10, 11]);
        var purged = await PurgeOldestMonthAsync(h);
        purged.Should().BeGreaterThan(0);

        var result = await h.Cache.VerifyAsync();

        result.Clean.Should().BeTrue("a retention purge is not drift");
        result.Ranges.Should().ContainSingle().Which.Verdict.Should().Be(RangeVerdict.Purged);
        result.Changes.Should().BeEmpty();
        (await h.Cache.GetExperimentTotalsAsync(1, [10, 11])).Should().BeEquivalentTo(before, "history is kept");
    }

    [Fact]
    public async Task UnderMirrorAnErasedRangeIsRepairedToTheSource()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.Deletions = SourceDeletions.Mirror);
        await BuildAsync(h);
        await PurgeOldestMonthAsync(h);

        var result = await h.Cache.VerifyAsync();

        result.Ranges.Should().ContainSingle().Which.Verdict.Should().Be(RangeVerdict.Repaired);
        await h.AssertExactAsync(1, "after a mirrored verify");
    }

    [Fact]
    public async Task AVerifyOfTheLastDayChecksOnlyItsHoursAndRepairFalseChangesNothing()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await BuildAsync(h);
        var late = await h.Data.AddSessionAsync(1, 10, 555, h.Now.AddHours(-5));
        await h.Data.AddMessagesAsync(1, 10, late, h.Now.AddHours(-5), 3);
        var old = await h.Data.AddSessionAsync(1, 10, 556, h.Now.AddDays(-3));
        await h.Data.AddMessagesAsync(1, 10, old, h.Now.AddDays(-3), 1);
        var before = await h.Cache.GetExperimentTotalsAsync(1, [10]);

        var report = await h.Cache.VerifyAsync(VerifyRequest.LastDay(repair: false));
        report.RangesChecked.Should().Be(24);
        report.Ranges.Should().ContainSingle().Which.Should().Match<VerifiedRange>(r => r.Verdict == RangeVerdict.Drift && r.After == null && r.Source.HumanMessageCount == r.Before.HumanMessageCount + 3);
        (await h.Cache.GetExperimentTotalsAsync(1, [10])).Should().BeEquivalentTo(before, "repair is off");

        var lastDay = await h.Cache.VerifyAsync(VerifyRequest.LastDay());
        lastDay.Ranges.Should().ContainSingle().Which.Verdict.Should().Be(RangeVerdict.Repaired);
        var everything = await h.Cache.VerifyAsync();
        everything.Ranges.Should().ContainSingle("only the row of three days ago is left").Which.From.Should().BeBefore(h.Now.AddDays(-2));
        await h.AssertExactAsync(1, "after both verifies");
    }

    [Fact]
    public async Task BadRequestsAndANeverBuiltCacheAreRefused()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var local = () => h.Cache.VerifyAsync(new VerifyRequest { From = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Local) });
        await local.Should().ThrowAsync<ArgumentException>();
        var reversed = () => h.Cache.VerifyAsync(new VerifyRequest { From = Start, To = Start.AddDays(-1) });
        await reversed.Should().ThrowAsync<ArgumentException>();
        var unbuilt = () => h.Cache.VerifyAsync();
        await unbuilt.Should().ThrowAsync<InvalidOperationException>().WithMessage("*never built*");
    }

    /// <summary>
    /// Builds the cache over 80 days of traffic, then lets 40 days of refreshes and compressions pass,
    /// so it holds monthly, daily and hourly buckets. Returns team 1's sessions of experiment 10.
    /// </summary>
    internal static async Task<List<long>> BuildAsync(CacheHarness h)
    {
        var sessions = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            var at = Start.AddHours(-2 * 24 * i - 3);
            var session = await h.Data.AddSessionAsync(1, 10 + i % 2, 100 + i % 9, at);
            if (i % 2 == 0)
            {
                sessions.Add(session);
            }

            await h.Data.AddMessagesAsync(1, 10 + i % 2, session, at.AddMinutes(4), 1 + i % 3);
        }

        var other = await h.Data.AddSessionAsync(2, 20, 7, Start.AddDays(-3));
        await h.Data.AddMessagesAsync(2, 20, other, Start.AddDays(-3), 2);
        await h.Cache.RefreshAsync();
        for (var day = 0; day < 40; day++)
        {
            h.Advance(TimeSpan.FromDays(1));
            var s = await h.Data.AddSessionAsync(1, 11, 200 + day % 4, h.Now.AddMinutes(-40));
            await h.Data.AddMessagesAsync(1, 11, s, h.Now.AddMinutes(-30), 2);
            await h.Cache.RefreshAsync();
            await h.Cache.CompressAsync();
        }

        return sessions;
    }

    /// <summary>Sessions with messages over the given number of days, all older than the look-back.</summary>
    internal static async Task ImportHistoryAsync(CacheHarness h, int days)
    {
        for (var d = 1; d <= days; d++)
        {
            var at = h.Now.AddDays(-d).AddHours(-d % 5);
            var session = await h.Data.AddSessionAsync(1, 10 + d % 2, 300 + d % 11, at);
            await h.Data.AddMessagesAsync(1, 10 + d % 2, session, at.AddMinutes(2), 1 + d % 2);
        }
    }

    /// <summary>Deletes every session (and its messages) of team 1 in the oldest month: a retention purge.</summary>
    private static async Task<int> PurgeOldestMonthAsync(CacheHarness h)
    {
        await using var command = h.Db.CreateCommand("""
            WITH oldest AS (SELECT date_trunc('month', min(created_at), 'UTC') AS m FROM chat_sessions),
            gone AS (
                DELETE FROM chat_sessions s USING oldest
                WHERE s.created_at >= oldest.m AND s.created_at < oldest.m + interval '1 month'
                RETURNING s.id
            ), messages AS (
                DELETE FROM chat_messages m USING gone WHERE m.session_id = gone.id
            )
            SELECT count(*)::int FROM gone
            """);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}

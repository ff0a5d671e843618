using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>Rows that arrive late, and rows that disappear, must not leave totals wrong.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LateDataTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 5, 14, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task ATransactionHeldOpenAcrossARefreshIsCountedByTheNextRefresh()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await h.Cache.RefreshAsync();

        // A writer stamps its rows, then commits only after a refresh has moved past their timestamp.
        await using var writer = await h.Db.OpenConnectionAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        var session = await h.Data.AddSessionAsync(1, 10, 7, Start.AddMinutes(-2), writer, transaction);
        await h.Data.AddMessagesAsync(1, 10, session, [Start.AddMinutes(-1)], connection: writer, transaction: transaction);

        h.Advance(TimeSpan.FromMinutes(2));
        await h.Cache.RefreshAsync();
        (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10].SessionCount.Should().Be(0, "the rows were not committed yet");

        await transaction.CommitAsync();
        h.Advance(TimeSpan.FromMinutes(2));
        await h.Cache.RefreshAsync();

        var totals = (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10];
        totals.Should().Be(new StatsCache.ExperimentStats { SessionCount = 1, ParticipantCount = 1, HumanMessageCount = 1, LastActivity = Start.AddMinutes(-1) });
        await h.AssertExactAsync(1);
    }

    [Fact]
    public async Task ALateSessionEarlierThanAParticipantsFirstSessionMovesItsFirstSeenBucket()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var firstKnown = Start.AddDays(-3);
        var s1 = await h.Data.AddSessionAsync(1, 10, 42, firstKnown);
        await h.Data.AddMessagesAsync(1, 10, s1, firstKnown, 2);
        await h.Cache.RefreshAsync();
        await h.Cache.CompressAsync();

        // Far beyond the look-back, a session of the same participant shows up, a day earlier.
        var earlier = Start.AddDays(-4);
        var s0 = await h.Data.AddSessionAsync(1, 10, 42, earlier);
        await h.Data.AddMessagesAsync(1, 10, s0, earlier, 1);
        h.Advance(TimeSpan.FromMinutes(5));
        await h.Cache.RefreshAsync();
        (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10].SessionCount.Should().Be(1, "a plain refresh only re-reads its look-back window");

        var result = await h.Cache.BackfillAsync(new BackfillRequest { From = BucketCalendar.Floor(earlier, BucketSize.Day), ExperimentIds = [10] });

        result.Chunks.Should().BeGreaterThan(0);
        var totals = (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10];
        totals.SessionCount.Should().Be(2);
        totals.ParticipantCount.Should().Be(1, "the participant moved to an earlier bucket; it must not be counted twice");
        var buckets = await h.Cache.GetExperimentBucketsAsync(1, 10);
        buckets.Single(b => b.Start == BucketCalendar.Floor(earlier, BucketSize.Day)).NewParticipantCount.Should().Be(1);
        buckets.Single(b => b.Start == BucketCalendar.Floor(firstKnown, BucketSize.Day)).NewParticipantCount.Should().Be(0);
        await h.AssertExactAsync(1);
    }

    [Fact]
    public async Task ALateSessionWithinTheLookBackMovesTheParticipantToItsEarlierHour()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.LookBack = TimeSpan.FromHours(3));
        var s1 = await h.Data.AddSessionAsync(1, 10, 42, Start.AddMinutes(-30));
        await h.Data.AddMessagesAsync(1, 10, s1, Start.AddMinutes(-29), 1);
        await h.Cache.RefreshAsync();

        // A participant's first session is known; an earlier one of theirs commits late, inside the look-back.
        await h.Data.AddSessionAsync(1, 10, 43, Start.AddMinutes(-10));
        h.Advance(TimeSpan.FromMinutes(20));
        await h.Cache.RefreshAsync();
        await h.Data.AddSessionAsync(1, 10, 43, Start.AddMinutes(-100));
        h.Advance(TimeSpan.FromMinutes(20));
        await h.Cache.RefreshAsync();

        (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10].ParticipantCount.Should().Be(2);
        (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10].SessionCount.Should().Be(3);
        var buckets = await h.Cache.GetExperimentBucketsAsync(1, 10);
        buckets.Single(b => b.Start == Start.AddHours(-2)).NewParticipantCount.Should().Be(1, "43 is first seen at 08:20");
        buckets.Single(b => b.Start == Start.AddHours(-1)).NewParticipantCount.Should().Be(1, "only 42 is first seen at 09:30");
        await h.AssertExactAsync(1);
    }

    [Fact]
    public async Task ABackfillAfterTheHostPurgedOldRowsKeepsTheirStatistics()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var old = Start.AddDays(-90);
        for (var i = 0; i < 3; i++)
        {
            var s = await h.Data.AddSessionAsync(1, 10, 100 + i, old.AddHours(i));
            await h.Data.AddMessagesAsync(1, 10, s, old.AddHours(i).AddMinutes(1), 4, "v1");
        }

        await h.Cache.RefreshAsync();
        var before = (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10];
        before.HumanMessageCount.Should().Be(12);

        // Retention purge: the host deletes raw rows older than 60 days.
        await using (var purge = h.Db.CreateCommand("DELETE FROM chat_messages WHERE created_at < @cut; DELETE FROM message_versions WHERE created_at < @cut; DELETE FROM chat_sessions WHERE created_at < @cut"))
        {
            purge.Parameters.AddWithValue("cut", Start.AddDays(-60));
            await purge.ExecuteNonQueryAsync();
        }

        await h.Cache.BackfillAsync(new BackfillRequest { From = old.AddDays(-1) });
        await h.Cache.BackfillAsync();
        await h.Cache.CompressAsync();

        (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10].Should().Be(before, "a recompute from a purged source must not wipe history");
    }
}

using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.IntegrationTests.Reliability;
using StatsCache.Storage;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// A refresh that keeps history moves the totals rows by the differences its writes make to the buckets
/// (TotalsSql.ApplyBucketDeltas, TotalsSql.ApplyMovedOut) instead of re-summing every bucket of the experiments
/// it wrote: after every refresh, whatever the window met, each totals row still equals the sums over its
/// experiment's buckets, and both equal the live query.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RefreshTotalsDeltaTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 5, 14, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task EveryRefreshLeavesTheTotalsEqualToTheirBucketsAndTheSource()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.LookBack = TimeSpan.FromHours(2));

        // History before the first build: two experiments, a participant seen in both.
        var old = await h.Data.AddSessionAsync(1, 10, 42, Start.AddDays(-2));
        await h.Data.AddMessagesAsync(1, 10, old, Start.AddDays(-2).AddMinutes(1), 3);
        var other = await h.Data.AddSessionAsync(1, 11, 42, Start.AddDays(-1));
        await h.Data.AddMessagesAsync(1, 11, other, Start.AddDays(-1).AddMinutes(1), 2);
        await h.Cache.RefreshAsync();
        await AssertConsistentAsync(h, "after the first build");

        // New traffic: an existing session gets more messages, a new session of a known participant, a new participant.
        h.Advance(TimeSpan.FromMinutes(20));
        await h.Data.AddMessagesAsync(1, 10, old, Start.AddMinutes(5), 2);
        var s1 = await h.Data.AddSessionAsync(1, 10, 42, Start.AddMinutes(3));
        await h.Data.AddMessagesAsync(1, 10, s1, Start.AddMinutes(4), 1);
        var s2 = await h.Data.AddSessionAsync(1, 10, 43, Start.AddMinutes(10));
        await h.Data.AddMessagesAsync(1, 10, s2, Start.AddMinutes(11), 2);
        await h.Cache.RefreshAsync();
        await AssertConsistentAsync(h, "after new traffic");

        // The same window re-read with nothing new: no total moves.
        h.Advance(TimeSpan.FromMinutes(5));
        await h.Cache.RefreshAsync();
        await AssertConsistentAsync(h, "after a refresh that found nothing new");

        // Late rows inside the look-back, in hours the previous refreshes already counted: a late message of s2,
        // an earlier session of participant 43 (its first visit moves to an earlier hour), a new experiment.
        h.Advance(TimeSpan.FromMinutes(50));
        await h.Data.AddMessagesAsync(1, 10, s2, Start.AddMinutes(12), 1);
        var early = await h.Data.AddSessionAsync(1, 10, 43, Start.AddMinutes(-40));
        await h.Data.AddMessagesAsync(1, 10, early, Start.AddMinutes(-39), 1);
        var fresh = await h.Data.AddSessionAsync(1, 12, 44, Start.AddMinutes(30));
        await h.Data.AddMessagesAsync(1, 12, fresh, Start.AddMinutes(31), 4);
        await h.Data.AddMessagesAsync(1, 11, other, Start.AddMinutes(50), 1);
        await h.Cache.RefreshAsync();
        await AssertConsistentAsync(h, "after late rows inside the look-back");

        // Several hours at once (a refresh in steps would be the same statements per step).
        h.Advance(TimeSpan.FromHours(5));
        await h.Data.AddMessagesAsync(1, 12, fresh, Start.AddHours(3), 2);
        var later = await h.Data.AddSessionAsync(1, 11, 42, Start.AddHours(4));
        await h.Data.AddMessagesAsync(1, 11, later, Start.AddHours(4).AddMinutes(1), 1);
        await h.Cache.RefreshAsync();
        await AssertConsistentAsync(h, "after a refresh of several hours");
    }

    [Fact]
    public async Task ARefreshOverAnEmptiedTotalsTableFillsItFromTheBucketsFirst()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var s = await h.Data.AddSessionAsync(1, 10, 42, Start.AddDays(-1));
        await h.Data.AddMessagesAsync(1, 10, s, Start.AddDays(-1).AddMinutes(1), 3);
        await h.Cache.RefreshAsync();

        await using (var command = h.Db.CreateCommand($"DELETE FROM {StorageTableNames.ExperimentTotals}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        h.Advance(TimeSpan.FromMinutes(10));
        await h.Data.AddMessagesAsync(1, 10, s, Start.AddMinutes(2), 2);
        await h.Cache.RefreshAsync();

        await AssertConsistentAsync(h, "the refresh refilled the totals, then moved them by its window");
    }

    private static async Task AssertConsistentAsync(CacheHarness h, string because)
    {
        await Invariants.AssertCoverageAsync(h.Db, because);
        await h.AssertExactAsync(1, because);
    }
}

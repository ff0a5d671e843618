using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// Behaviours docs/guarantees.md lists as NOT guaranteed under today's "counts never go down"
/// (GREATEST) semantics, pinned down so the document stays true: if one of these starts failing,
/// the behaviour changed and the document must change with it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class NotGuaranteedTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 11, 20, 10, 30, 0, DateTimeKind.Utc);

    /// <summary>
    /// A session's row is recounted over the messages the source still has and merged with GREATEST.
    /// After a purge of some of its messages and new ones, it holds max(old count, live count): lower
    /// than history-kept (old + new), higher than the live count, and no longer equal to what the
    /// experiment's buckets say (they are per bucket, so they do keep old + new).
    /// </summary>
    [Fact]
    public async Task ASessionRowAfterAPartialPurgeAndNewMessagesKeepsTheLargerCountNotTheSum()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var oracle = new HistoryOracle(h.Db, DeletionSemantics.KeepHistory);
        await oracle.EnsureArchiveAsync();
        var old = Start.AddDays(-40);
        var s = await h.Data.AddSessionAsync(1, 10, 7, old);
        await h.Data.AddMessagesAsync(1, 10, s, [old, old.AddMinutes(1), old.AddMinutes(2)]);
        await h.Cache.RefreshAsync();

        // Retention purge of two of its three messages (history kept in the archive), then the session continues.
        await using (var purge = h.Db.CreateCommand("WITH d AS (DELETE FROM chat_messages WHERE session_id = @s AND created_at < @cut RETURNING *) INSERT INTO reliability_archive_messages SELECT * FROM d"))
        {
            purge.Parameters.AddWithValue("s", s);
            purge.Parameters.AddWithValue("cut", old.AddMinutes(2));
            (await purge.ExecuteNonQueryAsync()).Should().Be(2);
        }

        await h.Data.AddMessagesAsync(1, 10, s, [Start.AddMinutes(5)]);
        h.Advance(TimeSpan.FromMinutes(10));
        await h.Cache.RefreshAsync();

        var session = (await h.Cache.GetSessionTotalsAsync(1, [s]))[s];
        var history = (await oracle.SessionsAsync(1, h.Now))[s];
        var live = (await h.Live.SessionsAsync(1, h.Now))[s];
        var experiment = (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10];
        history.HumanMessageCount.Should().Be(4);
        live.HumanMessageCount.Should().Be(2);
        session.HumanMessageCount.Should().Be(3, "GREATEST(3 counted before, 2 recounted now): neither history (4) nor live (2)");
        experiment.HumanMessageCount.Should().Be(4, "the experiment's buckets keep history: the old bucket is not recomputed, the new one counts 1");
        session.LastActivity.Should().Be(Start.AddMinutes(5));
    }

    /// <summary>
    /// A purge of rows inside the window a refresh re-reads (from the hour of watermark − look-back)
    /// loses them when that hour also gets new rows: the hour is recomputed from what is left and
    /// GREATEST keeps the larger of the two counts, not their sum. Purges of older rows are safe.
    /// </summary>
    [Fact]
    public async Task APurgeInsideTheRefreshWindowLosesHistoryWhenTheSameHourGetsNewRows()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var oracle = new HistoryOracle(h.Db, DeletionSemantics.KeepHistory);
        await oracle.EnsureArchiveAsync();
        var purged = await h.Data.AddSessionAsync(1, 10, 1, Start.AddMinutes(-25)); // 10:05, before watermark − look-back (10:15)
        await h.Data.AddMessagesAsync(1, 10, purged, [Start.AddMinutes(-25)]);
        await h.Cache.RefreshAsync();
        (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10].SessionCount.Should().Be(1);

        await oracle.PurgeSessionsAsync([purged]);
        var fresh = await h.Data.AddSessionAsync(1, 10, 2, Start.AddMinutes(-10)); // 10:20, same hour, inside the window
        await h.Data.AddMessagesAsync(1, 10, fresh, [Start.AddMinutes(-10)]);
        h.Advance(TimeSpan.FromMinutes(5));
        await h.Cache.RefreshAsync();

        var cached = (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10];
        var history = (await oracle.ExperimentsAsync(1, h.Now))[10];
        history.SessionCount.Should().Be(2);
        history.HumanMessageCount.Should().Be(2);
        cached.SessionCount.Should().Be(1, "hour 10:00 was recomputed from the one session left: GREATEST(1, 1)");
        cached.HumanMessageCount.Should().Be(1);
        cached.ParticipantCount.Should().Be(2, "participants come from our own first-seen table, which keeps the purged one");
    }
}

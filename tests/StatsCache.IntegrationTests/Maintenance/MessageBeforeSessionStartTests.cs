using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// A human message stamped before its session started (an import, two servers' clocks): the
/// session's total must count it, whichever backfill chunk or refresh window the message and the
/// session's start fall in.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MessageBeforeSessionStartTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task AFullBackfillCountsMessagesStampedBeforeTheirSessionStartedInAnEarlierChunk()
    {
        // The chunked path: a first build within BulkBuildMaxRows would read everything in one transaction.
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.BulkBuildMaxRows = 0);

        // Monthly chunks: message in February, session start in March.
        var monthly = await h.Data.AddSessionAsync(1, 1, 10, new DateTime(2024, 3, 10, 10, 0, 0, DateTimeKind.Utc));
        await h.Data.AddMessagesAsync(1, 1, monthly, [new DateTime(2024, 2, 27, 8, 0, 0, DateTimeKind.Utc)]);
        await h.Data.AddMessagesAsync(1, 1, monthly, [new DateTime(2024, 3, 10, 10, 1, 0, DateTimeKind.Utc), new DateTime(2024, 3, 10, 10, 2, 0, DateTimeKind.Utc), new DateTime(2024, 3, 11, 9, 0, 0, DateTimeKind.Utc)], version: "v1");
        // Daily chunks: message the day before the session starts.
        var daily = await h.Data.AddSessionAsync(1, 2, 11, Start.AddDays(-10).AddHours(-2));
        await h.Data.AddMessagesAsync(1, 2, daily, [Start.AddDays(-11)]);
        await h.Data.AddMessagesAsync(1, 2, daily, [Start.AddDays(-10).AddHours(-1), Start.AddDays(-10)]);
        // Hourly chunks: message in the hour before the session starts.
        var hourly = await h.Data.AddSessionAsync(1, 3, 12, Start.AddHours(-3).AddMinutes(10));
        await h.Data.AddMessagesAsync(1, 3, hourly, [Start.AddHours(-3).AddMinutes(-20)]);
        await h.Data.AddMessagesAsync(1, 3, hourly, [Start.AddHours(-3).AddMinutes(11)]);

        var backfill = await h.Cache.BackfillAsync();
        backfill.Chunks.Should().BeGreaterThan(3, "the messages and the starts must lie in different chunks");

        var sessions = await h.Cache.GetSessionTotalsAsync(1, [monthly, daily, hourly]);
        sessions[monthly].HumanMessageCount.Should().Be(4, "the February message counts, though its session started in March");
        sessions[daily].HumanMessageCount.Should().Be(3, "the message of the day before the start counts");
        sessions[hourly].HumanMessageCount.Should().Be(2, "the message of the hour before the start counts");
        await h.AssertExactAsync(1, "after the full backfill");

        await h.Cache.RefreshAsync();
        await h.AssertExactAsync(1, "after a refresh following the backfill");
        await h.Cache.BackfillAsync(new BackfillRequest { From = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc), ExperimentIds = [1, 2] });
        await h.AssertExactAsync(1, "after a partial backfill starting between a message and its session's start");
        await h.Cache.BackfillAsync();
        await h.AssertExactAsync(1, "after a second full backfill");
    }

    [Fact]
    public async Task RefreshesCountAMessageStampedBeforeItsSessionStartedInAnEarlierWindow()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await h.Cache.RefreshAsync(); // built, empty

        // The message is written first (by a server whose clock is behind), the session row later.
        const long session = 500;
        h.Advance(TimeSpan.FromMinutes(20));
        await h.Data.AddMessagesAsync(1, 1, session, [h.Now.AddMinutes(-5)]);
        await h.Cache.RefreshAsync();
        h.Advance(TimeSpan.FromHours(2));
        await h.Cache.RefreshAsync();

        h.Advance(TimeSpan.FromHours(2));
        await h.Data.AddSessionAsync(session, 1, 1, 10, h.Now.AddMinutes(-60));
        await h.Data.AddMessagesAsync(1, 1, session, [h.Now.AddMinutes(-59), h.Now.AddMinutes(-58)]);
        var refresh = await h.Cache.RefreshAsync();
        refresh.From.Should().BeAfter(Start.AddMinutes(15), "the third window no longer holds the early message");

        (await h.Cache.GetSessionTotalsAsync(1, [session]))[session].HumanMessageCount.Should().Be(3, "the message before the session's start counts");
        await h.AssertExactAsync(1, "after the refresh that saw the session's start");
        await h.AssertExactAsync(1, "real time", ReadMode.RealTime);
        await h.Cache.RefreshAsync();
        await h.AssertExactAsync(1, "after another refresh");
    }
}

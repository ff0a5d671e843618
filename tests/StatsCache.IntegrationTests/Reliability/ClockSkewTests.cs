using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using StatsCache.Health;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Internal;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// Two app instances whose clocks disagree with the database's: one ahead (20 minutes, then two days),
/// one behind (10 minutes). Their fake clocks are set relative to the database's real clock, since
/// maintenance takes "now" as the earlier of the instance's clock and the database's.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClockSkewTests(PostgresServer server)
{
    private const long Team = 1;
    private const long Experiment = 10;

    [Theory]
    [InlineData(SourceDeletions.KeepHistory)]
    [InlineData(SourceDeletions.Mirror)]
    public async Task InstancesAheadAndBehindTheDatabaseLoseNoRowAndNeverMoveTheWatermarkAheadOfIt(SourceDeletions deletions)
    {
        void Configure(StatisticsCacheOptions o) => (o.LookBack, o.Deletions) = (TimeSpan.FromMinutes(15), deletions);

        // The harness's own instance is the one behind: its clock stays 10 minutes behind the database's.
        await using var h = await CacheHarness.CreateAsync(server, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), Configure);
        var dbNow = await DatabaseNowAsync(h);
        h.Clock.SetUtcNow(new DateTimeOffset(dbNow.AddMinutes(-10), TimeSpan.Zero));
        var behind = h.Cache;
        var aheadClock = new FakeTimeProvider(new DateTimeOffset(dbNow.AddMinutes(20), TimeSpan.Zero));
        await using var aheadInstance = CacheInstance.Create(h.ConnectionString, aheadClock, Configure);
        var ahead = aheadInstance.Cache;

        // History: two sessions with 30 messages between 50 and 12 minutes ago (database time).
        var first = await h.Data.AddSessionAsync(Team, Experiment, 100, dbNow.AddMinutes(-50));
        await h.Data.AddMessagesAsync(Team, Experiment, first, Enumerable.Range(0, 20).Select(i => dbNow.AddMinutes(-49 + i)).ToList());
        var second = await h.Data.AddSessionAsync(Team, Experiment, 101, dbNow.AddMinutes(-30));
        await h.Data.AddMessagesAsync(Team, Experiment, second, Enumerable.Range(0, 10).Select(i => dbNow.AddMinutes(-29 + i)).ToList());

        await behind.RefreshAsync(); // the first build, by the instance behind
        await AssertExactAsync(h, "after the lagging instance built the cache");

        // The instance 20 minutes ahead refreshes: the watermark stays at the database's clock.
        await ahead.RefreshAsync();
        var watermark = await WatermarkAsync(h);
        watermark.Should().BeOnOrBefore(await DatabaseNowAsync(h, exact: true), "the watermark never runs ahead of the database's clock (20 min ahead)");

        // Rows committed on time (within the look-back of their database timestamps) after that refresh.
        var third = await h.Data.AddSessionAsync(Team, Experiment, 100, dbNow.AddMinutes(-5));
        await h.Data.AddMessagesAsync(Team, Experiment, third, Enumerable.Range(0, 8).Select(i => dbNow.AddMinutes(-5).AddSeconds(30 * i)).ToList());

        // The lagging instance's "now" is behind the watermark: it re-reads up to the watermark, moves nothing back.
        var lagging = await behind.RefreshAsync();
        (await WatermarkAsync(h)).Should().BeOnOrAfter(watermark, "a lagging instance never moves the watermark back");
        lagging.To.Should().BeOnOrAfter(watermark, "a lagging instance re-reads up to the watermark, not only up to its own clock");
        await AssertExactAsync(h, "after the lagging instance refreshed behind the watermark");

        await ahead.RefreshAsync();
        await AssertExactAsync(h, "after the instance 20 minutes ahead refreshed again");

        // Two days ahead, with compression: neither the watermark nor the cut-offs may follow that clock.
        aheadClock.Advance(TimeSpan.FromDays(2));
        await ahead.RefreshAsync();
        await ahead.CompressAsync();
        await behind.CompressAsync();
        (await WatermarkAsync(h)).Should().BeOnOrBefore(await DatabaseNowAsync(h, exact: true), "the watermark never runs ahead of the database's clock (2 days ahead)");

        // 300 messages committed on time, in ten sessions, interleaved with refreshes of both instances.
        var expectedMessages = 30 + 8 + 300;
        for (var s = 0; s < 10; s++)
        {
            var session = await h.Data.AddSessionAsync(Team, Experiment, 200 + s, dbNow.AddMinutes(-4));
            await h.Data.AddMessagesAsync(Team, Experiment, session, Enumerable.Range(0, 30).Select(i => dbNow.AddMinutes(-4).AddSeconds(5 * i)).ToList());
            await (s % 2 == 0 ? ahead : behind).RefreshAsync();
            if (s == 5)
            {
                await ahead.CompressAsync();
            }
        }

        await behind.RefreshAsync();
        await AssertExactAsync(h, "after 300 messages, refreshes of both instances and compressions by the one two days ahead");
        var totals = await behind.GetExperimentTotalsAsync(Team, [Experiment]);
        totals[Experiment].HumanMessageCount.Should().Be(expectedMessages, "no message is lost");
        totals[Experiment].SessionCount.Should().Be(13);
        totals[Experiment].ParticipantCount.Should().Be(12);

        // Health, judged by the lagging instance: the watermark is not in the future, so healthy.
        var health = await CheckHealthAsync(h.Services, h.Clock);
        health.Status.Should().Be(HealthStatus.Healthy, health.Description);

        // Judged by the instance two days ahead: the lag is measured against the database's clock, so a
        // job that just refreshed does not look dead ("no refresh for more than 60 min") from there.
        await ahead.RefreshAsync();
        var fromAhead = await CheckHealthAsync(aheadInstance.Services, aheadClock);
        fromAhead.Status.Should().Be(HealthStatus.Healthy, fromAhead.Description);
    }

    [Fact]
    public async Task AWatermarkAheadOfTheDatabasesClockIsUnhealthy()
    {
        var start = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);
        await using var h = await CacheHarness.CreateAsync(server, start);
        await h.Data.AddSessionAsync(Team, Experiment, 1, start.AddMinutes(-30));
        await h.Cache.RefreshAsync();
        (await CheckHealthAsync(h.Services, h.Clock)).Status.Should().Be(HealthStatus.Healthy);

        // What an older version left behind after a refresh on an instance two days ahead.
        var dbNow = await DatabaseNowAsync(h);
        await using (var command = h.Db.CreateCommand("UPDATE statscache_state SET watermark = @future"))
        {
            command.Parameters.AddWithValue("future", dbNow.AddDays(2));
            await command.ExecuteNonQueryAsync();
        }

        // This instance's clock is set to the watermark: only the database's clock tells it is in the future.
        h.Clock.SetUtcNow(new DateTimeOffset(dbNow.AddDays(2).AddMinutes(1), TimeSpan.Zero));
        var health = await CheckHealthAsync(h.Services, h.Clock);
        health.Status.Should().Be(HealthStatus.Unhealthy);
        health.Description.Should().Contain("ahead of the database's clock");
    }

    private static async Task AssertExactAsync(CacheHarness h, string because)
    {
        // Every row of these tests is stamped before the database's clock; the oracle counts them all.
        var all = DateTime.SpecifyKind(DateTime.MaxValue.AddDays(-1), DateTimeKind.Utc);
        foreach (var mode in new[] { ReadMode.Cached, ReadMode.RealTime })
        {
            var live = await h.Live.ExperimentsAsync(Team, all);
            (await h.Cache.GetExperimentTotalsAsync(Team, live.Keys, mode)).Should().BeEquivalentTo(live, "{0} experiment totals {1}", mode, because);
            var sessions = await h.Live.SessionsAsync(Team, all);
            (await h.Cache.GetSessionTotalsAsync(Team, sessions.Keys, mode)).Should().BeEquivalentTo(sessions, "{0} session totals {1}", mode, because);
        }
    }

    private static async Task<HealthReportEntry> CheckHealthAsync(IServiceProvider services, TimeProvider clock)
    {
        var check = new StatisticsCacheHealthCheck(services.GetRequiredService<CacheEnvironment>(), clock, TimeSpan.FromMinutes(10), TimeSpan.FromHours(1));
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("statscache", check, HealthStatus.Unhealthy, null) };
        var result = await check.CheckHealthAsync(context);
        return new HealthReportEntry(result.Status, result.Description, TimeSpan.Zero, result.Exception, result.Data);
    }

    private static async Task<DateTime> WatermarkAsync(CacheHarness h)
    {
        await using var command = h.Db.CreateCommand("SELECT watermark FROM statscache_state");
        return DateTime.SpecifyKind((DateTime)(await command.ExecuteScalarAsync())!, DateTimeKind.Utc);
    }

    /// <summary>The database's clock, to the second unless <paramref name="exact"/>.</summary>
    private static async Task<DateTime> DatabaseNowAsync(CacheHarness h, bool exact = false)
    {
        await using var command = h.Db.CreateCommand(exact ? "SELECT clock_timestamp()" : "SELECT date_trunc('second', clock_timestamp())");
        return DateTime.SpecifyKind((DateTime)(await command.ExecuteScalarAsync())!, DateTimeKind.Utc);
    }
}

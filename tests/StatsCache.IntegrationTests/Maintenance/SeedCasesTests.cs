using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>The seed design's own test cases, against real PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SeedCasesTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task TwoSessionsWithFiveAndThreeHumanMessagesGiveEightMessagesAndTwoSessions()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var s1 = await h.Data.AddSessionAsync(1, 10, 100, Start.AddHours(-3));
        var s2 = await h.Data.AddSessionAsync(1, 10, 101, Start.AddHours(-2));
        await h.Data.AddMessagesAsync(1, 10, s1, Start.AddHours(-3).AddMinutes(1), 5);
        await h.Data.AddMessagesAsync(1, 10, s2, Start.AddHours(-2).AddMinutes(1), 3);
        await h.Data.AddMessagesAsync(1, 10, s2, [Start.AddMinutes(-1)], human: false);

        await h.Cache.RefreshAsync();

        var totals = (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10];
        totals.SessionCount.Should().Be(2);
        totals.ParticipantCount.Should().Be(2);
        totals.HumanMessageCount.Should().Be(8);
        totals.LastActivity.Should().Be(Start.AddHours(-2).AddMinutes(1));
        var sessions = await h.Cache.GetSessionTotalsAsync(1, [s1, s2]);
        sessions[s1].HumanMessageCount.Should().Be(5);
        sessions[s2].HumanMessageCount.Should().Be(3);
    }

    [Fact]
    public async Task BucketsStartOnHourDayAndMonthBoundaries()
    {
        // Now is 2 March 2024: data on 29 February (leap day), at a month end and at the year end.
        var now = new DateTime(2024, 3, 2, 6, 30, 0, DateTimeKind.Utc);
        await using var h = await CacheHarness.CreateAsync(server, now);
        var times = new[]
        {
            new DateTime(2023, 12, 31, 23, 59, 59, DateTimeKind.Utc), // year end: December's month bucket
            new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc),      // first instant of January
            new DateTime(2024, 2, 29, 23, 30, 0, DateTimeKind.Utc),   // leap day: a daily bucket (within 30 days)
            new DateTime(2024, 3, 2, 5, 59, 59, DateTimeKind.Utc),    // hour 05:00 today
            new DateTime(2024, 3, 2, 6, 0, 0, DateTimeKind.Utc),      // hour 06:00 today
        };
        foreach (var t in times)
        {
            var s = await h.Data.AddSessionAsync(1, 10, null, t);
            await h.Data.AddMessagesAsync(1, 10, s, t, 1);
        }

        await h.Cache.RefreshAsync(); // first refresh = full backfill, at the policy's sizes
        var buckets = await h.Cache.GetExperimentBucketsAsync(1, 10);

        buckets.Select(b => (b.Size, b.Start, b.SessionCount)).Should().Equal(
            (BucketSize.Month, new DateTime(2023, 12, 1, 0, 0, 0, DateTimeKind.Utc), 1L),
            (BucketSize.Month, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), 1L),
            (BucketSize.Day, new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Utc), 1L),
            (BucketSize.Hour, new DateTime(2024, 3, 2, 5, 0, 0, DateTimeKind.Utc), 1L),
            (BucketSize.Hour, new DateTime(2024, 3, 2, 6, 0, 0, DateTimeKind.Utc), 1L));
        buckets.Should().OnlyContain(b => b.End == BucketCalendar.End(b.Start, b.Size));
        await h.AssertExactAsync(1);
    }

    [Fact]
    public async Task TwentyFourHourlyBucketsCompressIntoOneDailyBucketWithTheSums()
    {
        var day = new DateTime(2024, 3, 10, 0, 0, 0, DateTimeKind.Utc);
        await using var h = await CacheHarness.CreateAsync(server, day);
        await h.Cache.RefreshAsync(); // empty source: builds nothing, sets the watermark
        for (var hour = 0; hour < 24; hour++)
        {
            var s = await h.Data.AddSessionAsync(1, 10, 1000 + (hour % 5), day.AddHours(hour).AddMinutes(5));
            await h.Data.AddMessagesAsync(1, 10, s, day.AddHours(hour).AddMinutes(6), hour + 1);
            h.Advance(TimeSpan.FromHours(1));
            await h.Cache.RefreshAsync();
        }

        var hourly = await h.Cache.GetExperimentBucketsAsync(1, 10);
        hourly.Should().HaveCount(24).And.OnlyContain(b => b.Size == BucketSize.Hour);
        var before = (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10];

        h.Advance(TimeSpan.FromDays(1)); // the day is now older than the hourly retention
        await h.Cache.RefreshAsync();
        var result = await h.Cache.CompressAsync();

        result.Skipped.Should().BeFalse();
        var buckets = await h.Cache.GetExperimentBucketsAsync(1, 10);
        var daily = buckets.Should().ContainSingle().Subject;
        daily.Size.Should().Be(BucketSize.Day);
        daily.Start.Should().Be(day);
        daily.SessionCount.Should().Be(hourly.Sum(b => b.SessionCount)).And.Be(24);
        daily.HumanMessageCount.Should().Be(hourly.Sum(b => b.HumanMessageCount)).And.Be(300);
        daily.NewParticipantCount.Should().Be(5);
        daily.LastActivity.Should().Be(hourly.Max(b => b.LastActivity));
        (await h.Cache.GetExperimentTotalsAsync(1, [10]))[10].Should().Be(before);
        await h.AssertExactAsync(1);
    }
}

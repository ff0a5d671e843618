using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Reads;

/// <summary>
/// Trend series: every point equals the live numbers over its own span, coarser stored ranges come
/// back as coarser points (never split), zero-filling never invents finer points, bad requests fail.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SeriesTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 1, 20, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(BucketSize.Hour)]
    [InlineData(BucketSize.Day)]
    [InlineData(BucketSize.Month)]
    public async Task EveryPointEqualsTheLiveNumbersOfItsSpanBeforeAndAfterCompression(BucketSize granularity)
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h, new Random((int)granularity));
        await h.Cache.RefreshAsync();
        var request = new SeriesRequest { From = Start.AddDays(-70), To = Start.AddDays(1), Granularity = granularity };
        await AssertPointsAreLiveAsync(h, request, expectCoarser: granularity == BucketSize.Hour);

        // 40 days later most of it is rolled into days and months.
        h.Advance(TimeSpan.FromDays(40));
        await h.Cache.RefreshAsync();
        await h.Cache.CompressAsync();
        var points = await AssertPointsAreLiveAsync(h, request, expectCoarser: granularity != BucketSize.Month);
        points.Sum(p => p.HumanMessageCount).Should().Be((await h.Live.ExperimentsAsync(1, h.Now))[2].HumanMessageCount, "the range covers all of experiment 2's activity");
    }

    [Fact]
    public async Task ZeroFillingMakesContiguousPeriodsAndNeverSplitsACoarserStoredRange()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h, new Random(5));
        await h.Cache.RefreshAsync();
        h.Advance(TimeSpan.FromDays(40));
        await h.Cache.RefreshAsync();
        await h.Cache.CompressAsync();
        var status = await h.Cache.GetStatusAsync();

        var request = new SeriesRequest { From = Start.AddDays(-70), To = h.Now, Granularity = BucketSize.Day, FillEmpty = true };
        var points = (await h.Cache.GetExperimentSeriesAsync(1, [2, 777], request))[777];

        points.Should().NotBeEmpty().And.OnlyContain(p => p.HumanMessageCount == 0 && p.SessionCount == 0, "experiment 777 has no activity");
        points[0].Start.Should().BeOnOrBefore(request.From);
        points[^1].End.Should().BeOnOrAfter(request.To);
        points.Zip(points.Skip(1)).Should().OnlyContain(pair => pair.First.End == pair.Second.Start, "periods are contiguous, without gaps or overlaps");
        points.Where(p => p.Start < status.DailyFrom).Should().OnlyContain(p => p.Size == BucketSize.Month, "days before the daily cut-off are not known");
        points.Where(p => p.Start >= status.DailyFrom).Should().OnlyContain(p => p.Size == BucketSize.Day);

        var filled = (await h.Cache.GetExperimentSeriesAsync(1, [2], request))[2];
        filled.Zip(filled.Skip(1)).Should().OnlyContain(pair => pair.First.End == pair.Second.Start);
        filled.Sum(p => p.SessionCount).Should().Be((await h.Cache.GetExperimentSeriesAsync(1, [2], request with { FillEmpty = false }))[2].Sum(p => p.SessionCount));
    }

    [Fact]
    public async Task ASessionSeriesIsItsMessagesPerPeriod()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var session = await h.Data.AddSessionAsync(1, 2, 5, Start.AddHours(-30));
        await h.Data.AddMessagesAsync(1, 2, session, [Start.AddHours(-30), Start.AddHours(-29.5), Start.AddHours(-2), Start.AddMinutes(-1)]);

        var points = await h.Cache.GetSessionSeriesAsync(1, session, new SeriesRequest { From = Start.AddDays(-2), To = Start, Granularity = BucketSize.Day });
        points.Select(p => (p.Start, p.HumanMessageCount)).Should().Equal((Start.AddDays(-2), 2L), (Start.AddDays(-1), 2L));
        (await h.Cache.GetSessionSeriesAsync(2, session, new SeriesRequest { From = Start.AddDays(-2), To = Start, Granularity = BucketSize.Day })).Should().BeEmpty("another team sees nothing");
    }

    [Fact]
    public async Task BadRequestsAreRefusedWithAClearError()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var reversed = () => h.Cache.GetExperimentSeriesAsync(1, [1], new SeriesRequest { From = Start, To = Start.AddHours(-1), Granularity = BucketSize.Hour });
        var local = () => h.Cache.GetExperimentSeriesAsync(1, [1], new SeriesRequest { From = DateTime.SpecifyKind(Start, DateTimeKind.Local), To = Start.AddDays(1), Granularity = BucketSize.Hour });
        var huge = () => h.Cache.GetExperimentSeriesAsync(1, [1], new SeriesRequest { From = Start.AddYears(-20), To = Start, Granularity = BucketSize.Hour, FillEmpty = true });

        (await reversed.Should().ThrowAsync<ArgumentException>()).WithMessage("*To*must be after From*");
        (await local.Should().ThrowAsync<ArgumentException>()).WithMessage("*UTC*");
        (await huge.Should().ThrowAsync<ArgumentException>()).WithMessage("*coarser granularity*");
    }

    private static async Task<IReadOnlyList<SeriesPoint>> AssertPointsAreLiveAsync(CacheHarness h, SeriesRequest request, bool expectCoarser)
    {
        var points = (await h.Cache.GetExperimentSeriesAsync(1, [2], request))[2];
        points.Should().NotBeEmpty();
        points.Should().OnlyContain(p => p.Size >= request.Granularity && p.End == BucketCalendar.End(p.Start, p.Size) && p.End > request.From && p.Start < request.To);
        points.Zip(points.Skip(1)).Should().OnlyContain(pair => pair.First.End <= pair.Second.Start, "points never overlap");
        if (expectCoarser)
        {
            points.Should().Contain(p => p.Size > request.Granularity, "part of the range is stored coarser than asked");
        }

        foreach (var point in points)
        {
            var live = await LiveSpanAsync(h, 2, point.Start, point.End);
            point.Should().Be(live with { Size = point.Size }, "the point at {0:O} ({1}) must equal the live numbers of its span", point.Start, point.Size);
        }

        return points;
    }

    /// <summary>The live numbers of one experiment over a span, the way a dashboard would compute a chart.</summary>
    private static async Task<SeriesPoint> LiveSpanAsync(CacheHarness h, long experiment, DateTime from, DateTime to)
    {
        await using var command = h.Db.CreateCommand("""
            SELECT (SELECT count(*) FROM chat_sessions WHERE team_id = 1 AND experiment_id = @e AND created_at >= @from AND created_at < @to),
                   (SELECT count(*) FROM (SELECT participant_id, min(created_at) AS first FROM chat_sessions
                                          WHERE team_id = 1 AND experiment_id = @e AND participant_id IS NOT NULL GROUP BY 1) AS p
                    WHERE p.first >= @from AND p.first < @to),
                   (SELECT count(*) FROM chat_messages WHERE team_id = 1 AND experiment_id = @e AND is_human AND created_at >= @from AND created_at < @to),
                   (SELECT max(created_at) FROM chat_messages WHERE team_id = 1 AND experiment_id = @e AND is_human AND created_at >= @from AND created_at < @to)
            """);
        command.Parameters.AddWithValue("e", experiment);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new SeriesPoint { Start = from, End = to, Size = BucketSize.Hour, SessionCount = reader.GetInt64(0), NewParticipantCount = reader.GetInt64(1), HumanMessageCount = reader.GetInt64(2), LastActivity = reader.IsDBNull(3) ? null : reader.GetDateTime(3) };
    }

    /// <summary>Sessions of experiments 1–3 over the 60 days before the start, a few participants returning.</summary>
    private static async Task SeedAsync(CacheHarness h, Random random)
    {
        for (var i = 0; i < 60; i++)
        {
            var at = Start.AddMinutes(-random.Next(60 * 24 * 60)).AddSeconds(random.Next(60));
            var experiment = 1 + random.Next(3);
            var session = await h.Data.AddSessionAsync(1, experiment, 100 + random.Next(15), at);
            await h.Data.AddMessagesAsync(1, experiment, session, Enumerable.Range(0, random.Next(4)).Select(m => at.AddMinutes(m * 7)).Where(t => t < Start).ToList());
        }
    }
}

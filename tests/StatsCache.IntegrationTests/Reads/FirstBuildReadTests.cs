using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Reads;

/// <summary>
/// Until a full build completes, cached and real-time reads serve the live numbers (same result
/// types, exact), never the partial buckets of the chunks built so far.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FirstBuildReadTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 6, 20, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task ReadsBetweenTheChunksOfAFirstBuildEqualTheLiveNumbers()
    {
        // Chunk by chunk: reads between the chunks of a first build (a bulk build has none to read between).
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.BulkBuildMaxRows = 0);
        var sessions = await SeedMonthsAsync(h, months: 5);
        var monthly = new SeriesRequest { From = Start.AddMonths(-6), To = Start, Granularity = BucketSize.Month };
        var daily = new SeriesRequest { From = Start.AddDays(-20), To = Start, Granularity = BucketSize.Day };

        var checkedChunks = 0;
        var progress = new SynchronousProgress<BackfillProgress>(p =>
        {
            if (p.ChunksDone == p.ChunksTotal)
            {
                return; // the watermark moves right after the last chunk
            }

            checkedChunks++;
            var monthPoints = h.Cache.GetExperimentSeriesAsync(1, [10, 11], monthly).GetAwaiter().GetResult();
            var dayPoints = h.Cache.GetExperimentSeriesAsync(1, [10, 11], daily).GetAwaiter().GetResult();
            monthPoints[10].Sum(x => x.HumanMessageCount).Should().Be(LiveMessages(h, 10, monthly), "a monthly series during the first build shows every month");
            dayPoints[10].Sum(x => x.HumanMessageCount).Should().Be(LiveMessages(h, 10, daily), "a daily series during the first build shows every day");
            seriesDuringBuild.Add((monthPoints, dayPoints));
            foreach (var mode in new[] { ReadMode.Cached, ReadMode.RealTime })
            {
                h.AssertExactAsync(1, $"after chunk {p.ChunksDone} of {p.ChunksTotal} of the first build", mode).GetAwaiter().GetResult();
            }
        });
        await h.Cache.BackfillAsync(progress: progress);
        checkedChunks.Should().BeGreaterThan(3, "the build has several chunks to read between");

        // Once built, the cached series are the same points (they are exact, see SeriesTests).
        await h.AssertExactAsync(1, "after the build");
        var monthAfter = await h.Cache.GetExperimentSeriesAsync(1, [10, 11], monthly);
        var dayAfter = await h.Cache.GetExperimentSeriesAsync(1, [10, 11], daily);
        foreach (var (monthPoints, dayPoints) in seriesDuringBuild)
        {
            monthPoints.Should().BeEquivalentTo(monthAfter);
            dayPoints.Should().BeEquivalentTo(dayAfter);
        }

        sessions.Should().NotBeEmpty();
    }

    [Fact]
    public async Task AnInterruptedFirstBuildStillReadsLiveUntilItIsResumed()
    {
        // Chunk by chunk: reads between the chunks of a first build (a bulk build has none to read between).
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.BulkBuildMaxRows = 0);
        await SeedMonthsAsync(h, months: 3);
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress<BackfillProgress>(p =>
        {
            if (p.ChunksDone == 2)
            {
                cancel.Cancel();
            }
        });
        var interrupted = () => h.Cache.BackfillAsync(progress: progress, cancellationToken: cancel.Token);
        await interrupted.Should().ThrowAsync<OperationCanceledException>();
        (await h.Cache.GetStatusAsync()).BackfillInProgress.Should().BeTrue();

        await h.AssertExactAsync(1, "while the first build is interrupted");
        await h.AssertExactAsync(1, "while the first build is interrupted", ReadMode.RealTime);

        await h.Cache.RefreshAsync();
        await h.AssertExactAsync(1, "after the refresh resumed the build");
    }

    private readonly List<(IReadOnlyDictionary<long, IReadOnlyList<SeriesPoint>>, IReadOnlyDictionary<long, IReadOnlyList<SeriesPoint>>)> seriesDuringBuild = [];

    private static long LiveMessages(CacheHarness h, long experiment, SeriesRequest request)
    {
        var from = BucketCalendar.Floor(request.From, request.Granularity);
        var to = BucketCalendar.End(BucketCalendar.Floor(request.To.AddTicks(-1), request.Granularity), request.Granularity);
        using var command = h.Db.CreateCommand("SELECT count(*) FROM chat_messages WHERE is_human AND team_id = 1 AND experiment_id = @e AND created_at >= @from AND created_at < @to");
        command.Parameters.AddWithValue("e", experiment);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Sessions of team 1 (experiments 10, 11) and team 2 spread over the last months, returning participants.</summary>
    internal static async Task<List<long>> SeedMonthsAsync(CacheHarness h, int months)
    {
        var sessions = new List<long>();
        var at = Start.AddMonths(-months);
        var i = 0;
        while (at < Start.AddMinutes(-30))
        {
            var experiment = 10 + i % 2;
            var session = await h.Data.AddSessionAsync(1, experiment, 100 + i % 7, at);
            sessions.Add(session);
            await h.Data.AddMessagesAsync(1, experiment, session, Enumerable.Range(0, 1 + i % 4).Select(k => at.AddMinutes(3 * k + 1)).ToList(), version: $"v{i % 3}");
            if (i % 5 == 0)
            {
                var other = await h.Data.AddSessionAsync(2, 20, 7, at);
                await h.Data.AddMessagesAsync(2, 20, other, at.AddMinutes(2), 2);
            }

            // Dense near the end (hourly and daily buckets), sparse before (monthly).
            at += Start - at > TimeSpan.FromDays(2) ? TimeSpan.FromHours(29) : TimeSpan.FromMinutes(97);
            i++;
        }

        return sessions;
    }

    /// <summary>Reports on the backfill's own thread, between its chunks (Progress&lt;T&gt; would post and race).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>Backfill is chunked, reports progress, resumes after an interruption and converges.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BackfillTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    private static async Task SeedAsync(CacheHarness h)
    {
        // Eight months of history: monthly, daily and hourly chunks.
        for (var day = 240; day >= 0; day -= 7)
        {
            var at = Start.AddDays(-day).AddHours(-3);
            var s = await h.Data.AddSessionAsync(1, 10 + (day % 3), day % 11, at);
            await h.Data.AddMessagesAsync(1, 10 + (day % 3), s, at.AddMinutes(5), 1 + (day % 4), $"v{day % 5}");
        }
    }

    [Fact]
    public async Task AnInterruptedBackfillResumesWhereItStoppedAndConverges()
    {
        // Chunk by chunk (a bulk first build has no chunks to resume from).
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.BulkBuildMaxRows = 0);
        await SeedAsync(h);
        using var cancel = new CancellationTokenSource();
        var reports = new List<BackfillProgress>();
        var progress = new SynchronousProgress(p =>
        {
            reports.Add(p);
            if (reports.Count == 3)
            {
                cancel.Cancel();
            }
        });

        var interrupted = () => h.Cache.BackfillAsync(progress: progress, cancellationToken: cancel.Token);
        await interrupted.Should().ThrowAsync<OperationCanceledException>();
        (await h.Cache.GetStatusAsync()).BackfillInProgress.Should().BeTrue();
        reports.Should().HaveCount(3);

        var resumed = await h.Cache.BackfillAsync();

        resumed.Resumed.Should().BeTrue();
        resumed.From.Should().Be(reports[^1].DoneUntil);
        reports[0].ChunksTotal.Should().Be(3 + resumed.Chunks);
        var status = await h.Cache.GetStatusAsync();
        status.BackfillInProgress.Should().BeFalse();
        status.Watermark.Should().Be(Start);
        await h.AssertExactAsync(1);

        // Running it again from scratch converges to the same buckets.
        var before = await h.Cache.GetExperimentBucketsAsync(1, 10);
        (await h.Cache.BackfillAsync()).Resumed.Should().BeFalse();
        (await h.Cache.GetExperimentBucketsAsync(1, 10)).Select(b => (b.Size, b.Start, b.SessionCount, b.NewParticipantCount, b.HumanMessageCount, b.LastActivity))
            .Should().Equal(before.Select(b => (b.Size, b.Start, b.SessionCount, b.NewParticipantCount, b.HumanMessageCount, b.LastActivity)));
    }

    [Fact]
    public async Task ABackfillAfterRefreshesGivesTheSameBucketsOnceBothAreCompressed()
    {
        await using var refreshed = await CacheHarness.CreateAsync(server, Start.AddDays(-250));
        await using var backfilled = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(refreshed);
        await SeedAsync(backfilled);

        // One cache follows the data refresh by refresh, compressing daily; the other is built at the end.
        await refreshed.Cache.RefreshAsync();
        while (refreshed.Now < Start)
        {
            refreshed.Advance(TimeSpan.FromHours(7));
            await refreshed.Cache.RefreshAsync();
            await refreshed.Cache.CompressAsync();
        }

        await backfilled.Cache.BackfillAsync();
        await backfilled.Cache.CompressAsync();

        refreshed.Now.Should().BeOnOrAfter(Start);
        backfilled.Advance(refreshed.Now - Start);
        await backfilled.Cache.RefreshAsync();
        await backfilled.Cache.CompressAsync();
        await refreshed.AssertExactAsync(1);
        await backfilled.AssertExactAsync(1);
        foreach (var experiment in new long[] { 10, 11, 12 })
        {
            var a = await refreshed.Cache.GetExperimentBucketsAsync(1, experiment);
            var b = await backfilled.Cache.GetExperimentBucketsAsync(1, experiment);
            a.Select(x => (x.Size, x.Start, x.SessionCount, x.NewParticipantCount, x.HumanMessageCount, x.LastActivity))
                .Should().Equal(b.Select(x => (x.Size, x.Start, x.SessionCount, x.NewParticipantCount, x.HumanMessageCount, x.LastActivity)));
        }
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the test needs the report before the next chunk.</summary>
    private sealed class SynchronousProgress(Action<BackfillProgress> report) : IProgress<BackfillProgress>
    {
        public void Report(BackfillProgress value) => report(value);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Policy;
using Instruments = StatsCache.StatisticsCacheDiagnostics.Instruments;
using Spans = StatsCache.StatisticsCacheDiagnostics.Spans;
using Tags = StatsCache.StatisticsCacheDiagnostics.Tags;

namespace StatsCache.IntegrationTests.Diagnostics;

/// <summary>
/// The activity source and the meter, as a host's OpenTelemetry sees them. Every test uses a cache name of its own and
/// keeps only the spans tagged with it, and reads the meter through its own meter factory, so other tests running in
/// parallel in this process never show up here.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DiagnosticsTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void TheSourceAndTheMeterAreNamedStatsCache()
    {
        StatisticsCacheDiagnostics.ActivitySourceName.Should().Be("StatsCache");
        StatisticsCacheDiagnostics.MeterName.Should().Be("StatsCache");
        Internal.StatisticsCacheActivities.Source.Version.Should().Be(typeof(IStatisticsCache).Assembly.GetName().Version!.ToString());
    }

    [Fact]
    public async Task AFirstBuildABackfillARefreshAndReadsAreSpansWithTheirTags()
    {
        var name = UniqueCacheName();
        using var spans = new SpanRecorder(name);
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.CacheName = name);
        await SeedAsync(h);

        // The first refresh builds the cache: its backfill chunks are its children.
        var build = await h.Cache.RefreshAsync();
        build.Initialized.Should().BeTrue();
        var refresh = spans.Single(Spans.Refresh);
        refresh.Status.Should().Be(ActivityStatusCode.Unset);
        refresh.GetTagItem(Tags.Initialized).Should().Be(true);
        refresh.GetTagItem(Tags.Skipped).Should().Be(false);
        refresh.GetTagItem(Tags.RowsWritten).Should().Be(build.RowsWritten);
        var buildChunks = spans.ChildrenOf(refresh);
        buildChunks.Should().NotBeEmpty().And.OnlyContain(c => c.OperationName == Spans.BackfillChunk);

        // A backfill: one child span per chunk, in order, with their sizes, ranges and rows.
        var backfill = await h.Cache.BackfillAsync();
        backfill.Chunks.Should().BeGreaterThan(2, "eight months of history are monthly, daily and hourly chunks");
        var span = spans.Single(Spans.Backfill);
        span.GetTagItem(Tags.CacheName).Should().Be(name);
        span.GetTagItem(Tags.Chunks).Should().Be(backfill.Chunks);
        span.GetTagItem(Tags.RowsWritten).Should().Be(backfill.RowsWritten);
        span.GetTagItem(Tags.Resumed).Should().Be(false);
        var chunks = spans.ChildrenOf(span);
        chunks.Select(c => c.GetTagItem(Tags.ChunkIndex)).Should().Equal(Enumerable.Range(1, backfill.Chunks).Cast<object>());
        chunks.Should().OnlyContain(c => c.OperationName == Spans.BackfillChunk && c.TraceId == span.TraceId && c.Status == ActivityStatusCode.Unset);
        chunks.Should().OnlyContain(c => (int)c.GetTagItem(Tags.Chunks)! == backfill.Chunks && (string)c.GetTagItem(Tags.CacheName)! == name);
        chunks.Select(c => (string)c.GetTagItem(Tags.BucketSize)!).Should().Contain(["month", "day", "hour"]);
        chunks.Sum(c => (long)c.GetTagItem(Tags.RowsWritten)!).Should().Be(backfill.RowsWritten);
        chunks.Zip(chunks.Skip(1)).Should().OnlyContain(p => Equals(p.First.GetTagItem(Tags.RangeTo), p.Second.GetTagItem(Tags.RangeFrom)), "the chunks tile the range");
        chunks[^1].GetTagItem(Tags.RangeTo).Should().Be(backfill.To.ToString("O"));

        // A routine refresh.
        h.Advance(TimeSpan.FromMinutes(5));
        var session = await h.Data.AddSessionAsync(1, 10, 5, h.Now.AddMinutes(-2));
        await h.Data.AddMessagesAsync(1, 10, session, h.Now.AddMinutes(-1), 3);
        var routine = await h.Cache.RefreshAsync();
        var second = spans.All(Spans.Refresh).Should().HaveCount(2).And.Subject.Last();
        second.GetTagItem(Tags.Initialized).Should().Be(false);
        second.GetTagItem(Tags.RowsWritten).Should().Be(routine.RowsWritten).And.NotBe(0L);
        second.GetTagItem(Tags.RangeTo).Should().Be(routine.To.ToString("O"));
        spans.ChildrenOf(second).Should().BeEmpty();

        // Reads: team, mode and the distinct ids asked for.
        await h.Cache.GetExperimentTotalsAsync(1, [10, 11, 11, 999], ReadMode.RealTime);
        var read = spans.Single(Spans.ReadExperimentTotals);
        read.GetTagItem(Tags.CacheName).Should().Be(name);
        read.GetTagItem(Tags.TeamId).Should().Be(1L);
        read.GetTagItem(Tags.ReadMode).Should().Be("realtime");
        read.GetTagItem(Tags.IdsRequested).Should().Be(3);
        read.Status.Should().Be(ActivityStatusCode.Unset);

        await h.Cache.GetSessionTotalsAsync(1, [session]);
        spans.Single(Spans.ReadSessionTotals).GetTagItem(Tags.ReadMode).Should().Be("cached", "the default read mode");
        await h.Cache.GetExperimentSeriesAsync(1, [10, 11], new SeriesRequest { From = Start.AddDays(-30), To = Start, Granularity = BucketSize.Day });
        spans.Single(Spans.ReadExperimentSeries).GetTagItem(Tags.IdsRequested).Should().Be(2);
        await h.Cache.GetExperimentBucketsAsync(1, 10);
        spans.Single(Spans.ReadExperimentBuckets).GetTagItem(Tags.TeamId).Should().Be(1L);
        await h.Cache.GetStatusAsync();
        spans.Single(Spans.ReadStatus).GetTagItem(Tags.TeamId).Should().BeNull("the status is not scoped to a team");

        // Compression, reconcile and verify have their spans too.
        await h.Cache.CompressAsync();
        spans.Single(Spans.Compress).GetTagItem(Tags.Skipped).Should().Be(false);
        var reconcile = await h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-3), To = Start });
        spans.Single(Spans.Reconcile).GetTagItem(Tags.Chunks).Should().Be(reconcile.Chunks);
        var verify = await h.Cache.VerifyAsync(VerifyRequest.LastDay());
        spans.Single(Spans.Verify).GetTagItem(Tags.RangesChecked).Should().Be(verify.RangesChecked);
    }

    [Fact]
    public async Task AFailingCallEndsItsSpanWithErrorStatusAndTheExceptionAndAnInterruptedChunkIsMarked()
    {
        var name = UniqueCacheName();
        using var spans = new SpanRecorder(name);
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.CacheName = name);
        await SeedAsync(h);
        await h.Cache.RefreshAsync();

        await ExecuteAsync(h, "ALTER TABLE chat_messages RENAME COLUMN is_human TO is_human_renamed");
        h.Advance(TimeSpan.FromMinutes(2));
        var refresh = () => h.Cache.RefreshAsync();
        var thrown = (await refresh.Should().ThrowAsync<InvalidOperationException>()).Which;
        var failed = spans.All(Spans.Refresh).Should().HaveCount(2).And.Subject.Last();
        failed.Status.Should().Be(ActivityStatusCode.Error);
        failed.StatusDescription.Should().Be(thrown.Message).And.Contain("is_human");
        failed.GetTagItem(Tags.ErrorType).Should().Be(typeof(InvalidOperationException).FullName);
        var exception = failed.Events.Should().ContainSingle(e => e.Name == "exception").Subject;
        exception.Tags.Should().Contain(new KeyValuePair<string, object?>("exception.type", typeof(InvalidOperationException).FullName));
        exception.Tags.Should().Contain(t => t.Key == "exception.message" && ((string)t.Value!).Contains("is_human"));
        await ExecuteAsync(h, "ALTER TABLE chat_messages RENAME COLUMN is_human_renamed TO is_human");

        // A read refused by its argument checks fails its span the same way.
        var read = () => h.Cache.GetSessionSeriesAsync(1, 1, new SeriesRequest { From = Start, To = Start.AddDays(-1), Granularity = BucketSize.Day });
        await read.Should().ThrowAsync<ArgumentException>();
        var readSpan = spans.Single(Spans.ReadSessionSeries);
        readSpan.Status.Should().Be(ActivityStatusCode.Error);
        readSpan.GetTagItem(Tags.ErrorType).Should().Be(typeof(ArgumentException).FullName);

        // A backfill cancelled after its first chunk: that chunk committed, the next one is marked as not committed.
        using var cancel = new CancellationTokenSource();
        var backfill = () => h.Cache.BackfillAsync(progress: new SynchronousProgress(_ => cancel.Cancel()), cancellationToken: cancel.Token);
        await backfill.Should().ThrowAsync<OperationCanceledException>();
        var cancelled = spans.Single(Spans.Backfill);
        cancelled.Status.Should().Be(ActivityStatusCode.Error);
        var chunks = spans.ChildrenOf(cancelled);
        chunks.Should().HaveCount(2);
        chunks[0].Status.Should().Be(ActivityStatusCode.Unset);
        chunks[0].GetTagItem(Tags.RowsWritten).Should().NotBeNull();
        chunks[1].Status.Should().Be(ActivityStatusCode.Error);
        chunks[1].StatusDescription.Should().Contain("did not commit");
        chunks[1].GetTagItem(Tags.RowsWritten).Should().BeNull();
    }

    [Fact]
    public async Task ReadsAreMeasuredAndTheLagGaugeFollowsTheLastWatermarkAndTheClock()
    {
        var name = UniqueCacheName();
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.CacheName = name);
        await SeedAsync(h);

        // An instance of its own with a meter factory, as a generic host has: its meter is this test's alone.
        await using var services = h.NewInstance(o => o.CacheName = name, s => s.AddMetrics());
        var cache = services.GetRequiredService<IStatisticsCache>();
        var meters = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var lag = new MetricCollector<double>(meters, StatisticsCacheDiagnostics.MeterName, Instruments.WatermarkLag);
        using var readDuration = new MetricCollector<double>(meters, StatisticsCacheDiagnostics.MeterName, Instruments.ReadDuration);
        using var readEntities = new MetricCollector<long>(meters, StatisticsCacheDiagnostics.MeterName, Instruments.ReadEntities);
        using var maintenance = new MetricCollector<double>(meters, StatisticsCacheDiagnostics.MeterName, Instruments.MaintenanceDuration);

        lag.RecordObservableInstruments();
        lag.GetMeasurementSnapshot().Should().BeEmpty("this instance has not seen a watermark yet");

        await cache.RefreshAsync();
        lag.RecordObservableInstruments();
        LastLag(lag, name).Should().Be(0, "the refresh moved the watermark to now");

        // The gauge reads the clock when observed; no refresh, no database call in between.
        h.Advance(TimeSpan.FromMinutes(7));
        lag.RecordObservableInstruments();
        LastLag(lag, name).Should().Be(TimeSpan.FromMinutes(7).TotalSeconds);

        await cache.RefreshAsync();
        lag.RecordObservableInstruments();
        LastLag(lag, name).Should().Be(0);
        maintenance.GetMeasurementSnapshot().Should().Contain(m => (string?)m.Tags[Tags.Operation] == "refresh");

        await cache.GetExperimentTotalsAsync(1, [10, 11, 11, 12], ReadMode.Live);
        var measured = readDuration.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        measured.Tags[Tags.CacheName].Should().Be(name);
        measured.Tags[Tags.Operation].Should().Be("experiment_totals");
        measured.Tags[Tags.ReadMode].Should().Be("live");
        measured.Tags.Should().NotContainKey(Tags.ErrorType);
        measured.Value.Should().BeGreaterThanOrEqualTo(0);
        var served = readEntities.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        served.Value.Should().Be(3);
        served.Tags[Tags.Operation].Should().Be("experiment_totals");

        await cache.GetStatusAsync();
        var read = () => cache.GetExperimentSeriesAsync(1, [10], new SeriesRequest { From = Start, To = Start, Granularity = BucketSize.Day });
        await read.Should().ThrowAsync<ArgumentException>();
        var all = readDuration.GetMeasurementSnapshot();
        all.Should().HaveCount(3);
        all[1].Tags[Tags.Operation].Should().Be("status");
        all[1].Tags.Should().NotContainKey(Tags.ReadMode);
        all[2].Tags[Tags.Operation].Should().Be("experiment_series");
        all[2].Tags[Tags.ErrorType].Should().Be(typeof(ArgumentException).FullName);
        readEntities.GetMeasurementSnapshot().Should().HaveCount(1, "the status serves no entities and a failed read none");
    }

    [Fact]
    public async Task AnInstanceWhoseRefreshIsSkippedStopsReportingALagTheOtherInstanceReports()
    {
        var name = UniqueCacheName();
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.CacheName = name);
        await SeedAsync(h);
        await using var services = h.NewInstance(o => o.CacheName = name, s => s.AddMetrics());
        var cache = services.GetRequiredService<IStatisticsCache>();
        using var lag = new MetricCollector<double>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), StatisticsCacheDiagnostics.MeterName, Instruments.WatermarkLag);
        await cache.RefreshAsync();
        h.Advance(TimeSpan.FromMinutes(3));

        // Another instance holds the maintenance lock: this refresh skips, and this instance's watermark is no longer current.
        await using (await HoldMaintenanceLockAsync(h))
        {
            (await cache.RefreshAsync()).Skipped.Should().BeTrue();
        }

        lag.RecordObservableInstruments();
        lag.GetMeasurementSnapshot().Should().BeEmpty();

        (await cache.BackfillAsync()).Chunks.Should().BePositive();
        lag.RecordObservableInstruments();
        LastLag(lag, name).Should().Be(0, "a full backfill leaves the watermark at now");
    }

    [Fact]
    public async Task RoutineWorkLogsAtDebugAndTheFirstBuildAndBackfillsAtInformationWithStableEventIds()
    {
        var name = UniqueCacheName();
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.CacheName = name);
        await SeedAsync(h);
        await using var services = h.NewInstance(o => o.CacheName = name, s => s.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug)).AddFakeLogging());
        var cache = services.GetRequiredService<IStatisticsCache>();
        var logs = services.GetFakeLogCollector();
        IEnumerable<(int Id, LogLevel Level)> Events() => logs.GetSnapshot().Where(r => r.Category?.StartsWith("StatsCache", StringComparison.Ordinal) == true).Select(r => (r.Id.Id, r.Level));

        await cache.RefreshAsync();
        Events().Should().Contain([(6, LogLevel.Information), (5, LogLevel.Information)], "the first build and its completed backfill are news")
            .And.Contain((4, LogLevel.Debug), "each chunk is routine")
            .And.NotContain(e => e.Level > LogLevel.Information);
        logs.Clear();

        h.Advance(TimeSpan.FromMinutes(2));
        await cache.RefreshAsync();
        (await cache.CompressAsync()).BucketsWritten.Should().Be(0);
        Events().Should().Contain([(1, LogLevel.Debug), (3, LogLevel.Debug)], "a refresh and a compression with nothing to roll up are routine")
            .And.OnlyContain(e => e.Level == LogLevel.Debug);
        logs.Clear();

        var session = await h.Data.AddSessionAsync(1, 10, 3, h.Now.AddMinutes(-1));
        await h.Data.AddMessagesAsync(1, 10, session, h.Now.AddMinutes(-1), 2);
        await cache.RefreshAsync();
        h.Advance(TimeSpan.FromDays(3));
        await cache.RefreshAsync();
        (await cache.CompressAsync()).BucketsWritten.Should().BePositive();
        Events().Should().Contain((3, LogLevel.Information), "a compression that rolled buckets up is worth a line");
    }

    private static double LastLag(MetricCollector<double> lag, string cacheName)
    {
        var last = lag.GetMeasurementSnapshot().Should().NotBeEmpty().And.Subject.Last();
        last.Tags[Tags.CacheName].Should().Be(cacheName);
        return last.Value;
    }

    private static string UniqueCacheName() => "obs_" + Guid.NewGuid().ToString("N")[..12];

    private static async Task SeedAsync(CacheHarness h)
    {
        // Eight months of history: monthly, daily and hourly chunks.
        for (var day = 240; day >= 0; day -= 7)
        {
            var at = Start.AddDays(-day).AddHours(-3);
            var s = await h.Data.AddSessionAsync(1, 10 + (day % 3), day % 11, at);
            await h.Data.AddMessagesAsync(1, 10 + (day % 3), s, at.AddMinutes(5), 1 + (day % 4));
        }
    }

    private static async Task ExecuteAsync(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Holds the cache's advisory lock from another session until disposed, as a second instance's maintenance would.</summary>
    private static async Task<IAsyncDisposable> HoldMaintenanceLockAsync(CacheHarness h)
    {
        var lockHolder = new HeldLock(await h.Db.OpenConnectionAsync(), h.Services.GetRequiredService<Internal.CacheEnvironment>().LockKey);
        await lockHolder.RunAsync("SELECT pg_advisory_lock(@key)");
        return lockHolder;
    }

    /// <summary>Unlocks before the connection goes back to the pool (which would otherwise keep the session, and the lock).</summary>
    private sealed class HeldLock(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async Task RunAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("key", key);
            await command.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await RunAsync("SELECT pg_advisory_unlock(@key)");
            await connection.DisposeAsync();
        }
    }

    private sealed class SynchronousProgress(Action<BackfillProgress> report) : IProgress<BackfillProgress>
    {
        public void Report(BackfillProgress value) => report(value);
    }

    /// <summary>Records the stopped StatsCache spans of one cache (by its <see cref="Tags.CacheName"/>) and their children.</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public SpanRecorder(string cacheName)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == StatisticsCacheDiagnostics.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if ((activity.GetTagItem(Tags.CacheName) as string) == cacheName)
                    {
                        _stopped.Enqueue(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public List<Activity> All(string name) => _stopped.Where(a => a.OperationName == name).ToList();

        public Activity Single(string name) => All(name).Should().ContainSingle().Subject;

        /// <summary>The children of <paramref name="parent"/>, in the order they stopped (chunks run one after another).</summary>
        public List<Activity> ChildrenOf(Activity parent) =>
            _stopped.Where(a => a.ParentSpanId == parent.SpanId && a.TraceId == parent.TraceId).ToList();

        public void Dispose() => _listener.Dispose();
    }
}

using Microsoft.Extensions.DependencyInjection;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// Backfills of a cache that is already built, read in real time between their chunks (from the
/// progress callback, on other connections), and big ones forced into many small chunks by a tiny
/// <see cref="StatisticsCacheOptions.MaxRowsPerChunk"/>: every read equals the live SQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BackfillConsistencyTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 5, 20, 12, 17, 0, DateTimeKind.Utc);
    private static readonly DateTime All = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly long[] Teams = [1, 2];

    [Theory]
    [InlineData(1, SourceDeletions.KeepHistory, 25L)]
    [InlineData(2, SourceDeletions.Mirror, 25L)]
    [InlineData(3, SourceDeletions.KeepHistory, 2_000_000L)]
    [InlineData(4, SourceDeletions.Mirror, 60L)]
    public async Task RealTimeReadsBetweenTheChunksOfAFullBackfillOfABuiltCacheEqualTheLiveQuery(int seed, SourceDeletions deletions, long maxRowsPerChunk)
    {
        var random = new Random(seed);
        await using var h = await CacheHarness.CreateAsync(server, Start, o => (o.Deletions, o.MaxRowsPerChunk, o.BulkBuildMaxRows) = (deletions, maxRowsPerChunk, 0));

        // Forty days of history, built by a refresh; then hours of on-time rows after the watermark.
        await AddRandomRowsAsync(h, random, Start.AddDays(-40), Start, 40);
        await h.Cache.RefreshAsync();
        h.Advance(TimeSpan.FromHours(random.Next(2, 30)) + TimeSpan.FromMinutes(random.Next(60)));
        await AddRandomRowsAsync(h, random, Start, h.Now, 15);

        var reads = 0;
        var mismatches = new List<string>();
        var progress = new SynchronousProgress(p => Task.Run(async () =>
        {
            // A dashboard reading in real time while the backfill runs (its own connections).
            reads++;
            foreach (var team in Teams)
            {
                var live = await h.Live.ExperimentsAsync(team, All);
                var read = await h.Cache.GetExperimentTotalsAsync(team, live.Keys, ReadMode.RealTime);
                mismatches.AddRange(live.Where(e => read[e.Key] != e.Value).Select(e => $"after chunk {p.ChunksDone}/{p.ChunksTotal} (done until {p.DoneUntil:O}): experiment {e.Key} read {read[e.Key]}, live {e.Value}"));
                var liveSessions = await h.Live.SessionsAsync(team, All);
                var readSessions = await h.Cache.GetSessionTotalsAsync(team, liveSessions.Keys, ReadMode.RealTime);
                mismatches.AddRange(liveSessions.Where(s => !Same(readSessions[s.Key], s.Value)).Select(s => $"after chunk {p.ChunksDone}/{p.ChunksTotal} (done until {p.DoneUntil:O}): session {s.Key} read {readSessions[s.Key]}, live {s.Value}"));
            }
        }).GetAwaiter().GetResult());

        var result = await h.Cache.BackfillAsync(new BackfillRequest(), progress);

        reads.Should().Be(result.Chunks);
        if (maxRowsPerChunk <= 25)
        {
            result.Chunks.Should().BeGreaterThan(8, "the tiny row limit forces many chunks");
        }

        mismatches.Should().BeEmpty();
        foreach (var team in Teams)
        {
            await h.AssertExactAsync(team, "after the backfill", ReadMode.RealTime);
            await h.AssertExactAsync(team, "after the backfill");
        }
    }

    [Fact]
    public async Task ATinyRowLimitForcesManyChunksThatAreExactAndResumeAfterCancellation()
    {
        var random = new Random(7);
        await using var h = await CacheHarness.CreateAsync(server, Start, o => (o.MaxRowsPerChunk, o.BulkBuildMaxRows) = (12, 0));
        await AddRandomRowsAsync(h, random, Start.AddDays(-75), Start, 60);

        // A first build cancelled after a few chunks stays "backfilling" and resumes where it stopped.
        using var cancel = new CancellationTokenSource();
        var done = 0;
        var cancelled = () => h.Cache.BackfillAsync(new BackfillRequest(), new SynchronousProgress(p =>
        {
            if (++done == 5)
            {
                cancel.Cancel();
            }
        }), cancel.Token);
        await cancelled.Should().ThrowAsync<OperationCanceledException>();
        (await h.Cache.GetStatusAsync()).Watermark.Should().BeNull("a cancelled first build is not built");

        var resumed = await h.Cache.RefreshAsync();
        resumed.Initialized.Should().BeTrue();
        var runs = (await h.Cache.GetStatusAsync()).RecentRuns;
        runs.Should().Contain(r => r.Operation == "backfill" && r.Detail != null && r.Detail.Contains("resumed", StringComparison.Ordinal));
        foreach (var team in Teams)
        {
            await h.AssertExactAsync(team, "after the resumed build");
        }

        var chunks = runs.First(r => r.Operation == "backfill").Detail!;
        int.Parse(chunks.Split(" in ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeGreaterThan(12, "a limit of 12 rows splits months and days into many chunks (these are the ones left after the cancellation): " + chunks);

        // A second full backfill with the same tiny limit changes nothing.
        await h.Cache.BackfillAsync(new BackfillRequest());
        foreach (var team in Teams)
        {
            await h.AssertExactAsync(team, "after a second backfill");
        }
    }

    [Fact]
    public async Task ARefreshFarBehindCatchesUpInBoundedStepsEachMovingTheWatermark()
    {
        var random = new Random(11);
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.MaxRowsPerChunk = 20);
        await AddRandomRowsAsync(h, random, Start.AddDays(-3), Start, 10);
        await h.Cache.RefreshAsync();

        // A 19-hour outage with traffic throughout.
        h.Advance(TimeSpan.FromHours(19));
        await AddRandomRowsAsync(h, random, Start, h.Now, 30);

        // One refresh catches up, in steps of whole hours under the limit, each its own transaction.
        var result = await h.Cache.RefreshAsync();
        var run = (await h.Cache.GetStatusAsync()).RecentRuns.First(r => r.Operation == "refresh");
        run.Detail.Should().MatchRegex(@"in \d+ steps", "more than 20 rows in 19 hours are refreshed in steps");
        result.To.Should().Be(h.Now);
        foreach (var team in Teams)
        {
            await h.AssertExactAsync(team, "after the catch-up");
            await h.AssertExactAsync(team, "after the catch-up", ReadMode.RealTime);
        }
    }

    [Fact]
    public async Task CommandTimeoutAppliesToMaintenanceStatements()
    {
        // A source whose every scan sleeps 2 s: the maintenance timeout, not Npgsql's 30 s, decides.
        const string slow = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages, pg_sleep(2) WHERE is_human";
        await using var h = await CacheHarness.CreateAsync(server, Start, o => (o.HumanMessages.Sql, o.CommandTimeout) = (slow, TimeSpan.FromSeconds(1)));
        await h.Data.AddSessionAsync(1, 10, 1, Start.AddHours(-1));

        var refresh = () => h.Cache.RefreshAsync();
        (await refresh.Should().ThrowAsync<Npgsql.NpgsqlException>()).Which.InnerException.Should().BeOfType<TimeoutException>();

        await using var patient = h.NewInstance(o => (o.HumanMessages.Sql, o.CommandTimeout) = (slow, TimeSpan.FromMinutes(1)));
        (await patient.GetRequiredService<IStatisticsCache>().RefreshAsync()).Initialized.Should().BeTrue();
    }

    private static bool Same(SessionStats a, SessionStats b) =>
        a.HumanMessageCount == b.HumanMessageCount && a.LastActivity == b.LastActivity && a.Versions.SequenceEqual(b.Versions);

    /// <summary>Random sessions (participants reused) with human and bot messages, some tagged with versions, in [from, to).</summary>
    private static async Task AddRandomRowsAsync(CacheHarness h, Random random, DateTime from, DateTime to, int sessions)
    {
        var seconds = (long)(to - from).TotalSeconds;
        for (var i = 0; i < sessions; i++)
        {
            var team = Teams[random.Next(Teams.Length)];
            var experiment = team * 100 + random.Next(3);
            var at = from.AddSeconds(random.NextInt64(0, seconds));
            var session = await h.Data.AddSessionAsync(team, experiment, team * 1000 + random.Next(12), at);
            var times = Enumerable.Range(0, random.Next(0, 6)).Select(_ => at.AddSeconds(random.NextInt64(0, (long)(to - at).TotalSeconds))).ToList();
            await h.Data.AddMessagesAsync(team, experiment, session, times, human: true, version: random.Next(3) == 0 ? $"v{random.Next(3)}" : null);
        }
    }

    /// <summary>An IProgress that runs its callback inline, between the backfill's chunks (Progress&lt;T&gt; would post it).</summary>
    private sealed class SynchronousProgress(Action<BackfillProgress> report) : IProgress<BackfillProgress>
    {
        public void Report(BackfillProgress value) => report(value);
    }
}

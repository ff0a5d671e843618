using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// A maintenance call stopped in the middle of its transaction — its backend terminated (the database
/// going away) or the call cancelled — leaves nothing partial behind, fails with a clear exception,
/// and the next call converges to exact totals. "In the middle" is made deterministic by a held lock
/// (see <see cref="BlockedBackend"/>); the tests check the stopped backend had already written.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CrashTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 10, 3, 18, 0, 0, DateTimeKind.Utc);

    public enum Interruption
    {
        TerminateBackend,
        CancelCall,
    }

    /// <summary>Sessions every few hours over the last five months, two teams.</summary>
    private static async Task SeedAsync(CacheHarness h, DateTime until, int count = 40, double hoursApart = 90)
    {
        for (var i = 0; i < count; i++)
        {
            var at = until.AddHours(-(i + 1) * hoursApart).AddMinutes(-i);
            var s = await h.Data.AddSessionAsync(1 + (i % 2), 10 + (i % 3), i % 9, at);
            await h.Data.AddMessagesAsync(1 + (i % 2), 10 + (i % 3), s, [at, at.AddMinutes(50), at.AddMinutes(70)], version: $"v{i % 4}");
        }
    }

    [Theory]
    [InlineData(Interruption.TerminateBackend)]
    [InlineData(Interruption.CancelCall)]
    public async Task ARefreshStoppedMidTransactionLeavesNothingAndTheNextRefreshIsExact(Interruption stop)
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await using var instance = CacheInstance.Create(h.ConnectionString, h.Clock);
        await SeedAsync(h, Start);
        await instance.Cache.RefreshAsync();
        h.Advance(TimeSpan.FromMinutes(50));
        await SeedAsync(h, h.Now, count: 6, hoursApart: 0.1); // new rows for the refresh to write
        var before = await Invariants.DumpAsync(h.Db);
        var watermark = (await instance.Cache.GetStatusAsync()).Watermark;

        var (blocker, hold) = await BlockedBackend.LockStateRowAsync(h.Db);
        using var cancel = new CancellationTokenSource();
        var refresh = instance.Cache.RefreshAsync(cancel.Token);
        var pid = await BlockedBackend.WaitForBlockedCacheBackendAsync(h.Db, refresh);
        (await BlockedBackend.GrantedModesAsync(h.Db, pid, "statscache_experiment_buckets")).Should().Contain("RowExclusiveLock", "the refresh has written buckets in its open transaction");
        await StopAsync(stop, h.Db, pid, cancel);
        await AssertFailsClearlyAsync(stop, refresh);
        await hold.RollbackAsync();
        await blocker.DisposeAsync();

        (await Invariants.DumpAsync(h.Db)).Should().Equal(before, "a refresh that did not commit leaves no partial bucket, session or first-seen row");
        (await instance.Cache.GetStatusAsync()).Watermark.Should().Be(watermark, "nor a moved watermark");

        (await instance.Cache.RefreshAsync()).Skipped.Should().BeFalse("the lock died with the stopped call");
        await h.AssertExactAsync(1);
        await h.AssertExactAsync(2);
    }

    [Theory]
    [InlineData(Interruption.TerminateBackend)]
    [InlineData(Interruption.CancelCall)]
    public async Task ACompressionStoppedMidTransactionLeavesNothingAndTheNextOneRollsUp(Interruption stop)
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await using var instance = CacheInstance.Create(h.ConnectionString, h.Clock);
        await SeedAsync(h, Start);
        await instance.Cache.RefreshAsync();
        // A day and a half of hourly traffic, refreshed as it comes: hourly buckets older than a day.
        for (var i = 0; i < 6; i++)
        {
            h.Advance(TimeSpan.FromHours(6));
            await SeedAsync(h, h.Now, count: 3, hoursApart: 1.5);
            await instance.Cache.RefreshAsync();
        }

        var before = await Invariants.DumpAsync(h.Db);
        var totals = await ReadTotalsAsync(h);

        var (blocker, hold) = await BlockedBackend.LockStateRowAsync(h.Db);
        using var cancel = new CancellationTokenSource();
        var compress = instance.Cache.CompressAsync(cancel.Token);
        var pid = await BlockedBackend.WaitForBlockedCacheBackendAsync(h.Db, compress);
        (await BlockedBackend.GrantedModesAsync(h.Db, pid, "statscache_experiment_buckets")).Should().Contain("RowExclusiveLock", "the compression has rolled buckets up in its open transaction");
        await StopAsync(stop, h.Db, pid, cancel);
        await AssertFailsClearlyAsync(stop, compress);
        await hold.RollbackAsync();
        await blocker.DisposeAsync();

        (await Invariants.DumpAsync(h.Db)).Should().Equal(before, "a compression that did not commit leaves every bucket as it was: never both, never neither");

        var result = await instance.Cache.CompressAsync();
        result.Skipped.Should().BeFalse();
        result.BucketsWritten.Should().BeGreaterThan(0, "there were hours to roll into days");
        await using (var count = h.Db.CreateCommand("SELECT count(*) FROM statscache_experiment_buckets WHERE bucket_size <> 1 AND updated_at = $1"))
        {
            count.Parameters.AddWithValue(h.Now);
            result.BucketsWritten.Should().Be((long)(await count.ExecuteScalarAsync())!, "it counts the coarse buckets it wrote, not the finer ones it deleted");
        }

        (await Invariants.DumpAsync(h.Db)).Should().NotEqual(before);
        (await ReadTotalsAsync(h)).Should().BeEquivalentTo(totals, "compression preserves every total");
        await Invariants.AssertCoverageAsync(h.Db, "after compression");
        await h.AssertExactAsync(1);
    }

    [Theory]
    [InlineData(Interruption.TerminateBackend)]
    [InlineData(Interruption.CancelCall)]
    public async Task ABackfillStoppedMidChunkKeepsItsCommittedChunksOnlyAndResumesToExact(Interruption stop)
    {
        // Chunk by chunk (a bulk first build has no committed chunks to keep).
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.BulkBuildMaxRows = 0);
        await using var instance = CacheInstance.Create(h.ConnectionString, h.Clock, o => o.BulkBuildMaxRows = 0);
        await SeedAsync(h, Start);
        await using var blocker = await h.Db.OpenConnectionAsync();
        NpgsqlTransaction? hold = null;
        var reports = new List<BackfillProgress>();
        var progress = new SynchronousProgress(p =>
        {
            reports.Add(p);
            if (reports.Count == 2)
            {
                // Between two chunks: the next chunk will write, then wait for the state row.
                hold = blocker.BeginTransaction();
                using var command = new NpgsqlCommand("SELECT 1 FROM statscache_state WHERE cache_name = 'default' FOR UPDATE", blocker, hold);
                command.ExecuteScalar();
            }
        });

        using var cancel = new CancellationTokenSource();
        var backfill = instance.Cache.BackfillAsync(progress: progress, cancellationToken: cancel.Token);
        var pid = await BlockedBackend.WaitForBlockedCacheBackendAsync(h.Db, backfill);
        (await BlockedBackend.GrantedModesAsync(h.Db, pid, "statscache_experiment_buckets")).Should().Contain("RowExclusiveLock", "the third chunk has written buckets in its open transaction");
        await StopAsync(stop, h.Db, pid, cancel);
        await AssertFailsClearlyAsync(stop, backfill);
        await hold!.RollbackAsync();

        // Exactly the two committed chunks are visible: totals equal the live query up to where they end.
        reports.Should().HaveCount(2);
        reports[0].ChunksTotal.Should().BeGreaterThan(3);
        var doneUntil = reports[^1].DoneUntil;
        var status = await instance.Cache.GetStatusAsync();
        status.BackfillInProgress.Should().BeTrue();
        status.Watermark.Should().BeNull("the first build has not finished");
        foreach (var team in new long[] { 1, 2 })
        {
            // Our tables hold exactly the committed chunks (read raw: cached reads serve live numbers until the build completes).
            var live = await h.Live.ExperimentsAsync(team, doneUntil);
            (await StoredTotalsAsync(instance, team, live.Keys)).Should().BeEquivalentTo(live, "only whole chunks before {0:O} are stored", doneUntil);
            var liveSessions = await h.Live.SessionsAsync(team, doneUntil);
            (await StoredSessionsAsync(h, team, liveSessions.Keys)).Should().BeEquivalentTo(liveSessions);
            (await instance.Cache.GetExperimentTotalsAsync(team, live.Keys)).Should().BeEquivalentTo(await h.Live.ExperimentsAsync(team, h.Now), "reads during the unfinished first build are live");
        }

        var resumed = await instance.Cache.BackfillAsync();
        resumed.Resumed.Should().BeTrue();
        resumed.From.Should().Be(doneUntil);
        await h.AssertExactAsync(1);
        await h.AssertExactAsync(2);
    }

    [Fact]
    public async Task AnInterruptedBackfillFollowedByOneRefreshIsExact()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await using var instance = CacheInstance.Create(h.ConnectionString, h.Clock);
        await SeedAsync(h, Start);
        await instance.Cache.RefreshAsync();

        // A full backfill (an operator's rebuild) is interrupted after its first chunk...
        using var cancel = new CancellationTokenSource();
        var interrupted = () => instance.Cache.BackfillAsync(progress: new SynchronousProgress(_ => cancel.Cancel()), cancellationToken: cancel.Token);
        await interrupted.Should().ThrowAsync<OperationCanceledException>();

        // ...traffic goes on, and the scheduled refresh runs once.
        h.Advance(TimeSpan.FromMinutes(30));
        await SeedAsync(h, h.Now, count: 4, hoursApart: 0.1);
        (await instance.Cache.RefreshAsync()).Skipped.Should().BeFalse();

        await h.AssertExactAsync(1, "a refresh that ran after the rows were committed must count them, even when it first finishes an interrupted backfill");
        await h.AssertExactAsync(2);
    }

    [Fact]
    public async Task AReadWhoseBackendIsTerminatedThrowsAPostgresErrorAndTheNextReadWorks()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await using var instance = CacheInstance.Create(h.ConnectionString, h.Clock);
        await SeedAsync(h, Start);
        await instance.Cache.RefreshAsync();

        await using (var blocker = await h.Db.OpenConnectionAsync())
        await using (var hold = await blocker.BeginTransactionAsync())
        {
            await using (var command = new NpgsqlCommand("LOCK TABLE statscache_experiment_buckets IN ACCESS EXCLUSIVE MODE", blocker, hold))
            {
                await command.ExecuteNonQueryAsync();
            }

            var read = instance.Cache.GetExperimentTotalsAsync(1, [10, 11, 12]);
            var pid = await BlockedBackend.WaitForBlockedCacheBackendAsync(h.Db, read);
            await BlockedBackend.TerminateAsync(h.Db, pid);
            var act = () => read;
            (await act.Should().ThrowAsync<NpgsqlException>()).Which.Should().Match<NpgsqlException>(e => e is PostgresException || e.InnerException != null || e.Message.Length > 0);
        }

        await h.AssertExactAsync(1, "the next read works on a fresh connection");
    }

    private static async Task StopAsync(Interruption stop, NpgsqlDataSource db, int pid, CancellationTokenSource cancel)
    {
        if (stop == Interruption.TerminateBackend)
        {
            await BlockedBackend.TerminateAsync(db, pid);
        }
        else
        {
            await cancel.CancelAsync();
        }
    }

    /// <summary>The database going away surfaces as an NpgsqlException (PostgresException: 57P01); a cancelled call as OperationCanceledException.</summary>
    private static async Task AssertFailsClearlyAsync(Interruption stop, Task call)
    {
        var act = () => call;
        if (stop == Interruption.TerminateBackend)
        {
            await act.Should().ThrowAsync<NpgsqlException>();
        }
        else
        {
            await act.Should().ThrowAsync<OperationCanceledException>();
        }
    }

    private static async Task<object> ReadTotalsAsync(CacheHarness h)
    {
        var result = new List<object>();
        foreach (var team in new long[] { 1, 2 })
        {
            var live = await h.Live.ExperimentsAsync(team, h.Now);
            result.Add(await h.Cache.GetExperimentTotalsAsync(team, live.Keys));
            var sessions = await h.Live.SessionsAsync(team, h.Now);
            result.Add(await h.Cache.GetSessionTotalsAsync(team, sessions.Keys));
        }

        return result;
    }

    private sealed class SynchronousProgress(Action<BackfillProgress> report) : IProgress<BackfillProgress>
    {
        public void Report(BackfillProgress value) => report(value);
    }

    /// <summary>An experiment's totals summed from its stored buckets, ungated.</summary>
    private static async Task<Dictionary<long, ExperimentStats>> StoredTotalsAsync(CacheInstance instance, long team, IEnumerable<long> experiments)
    {
        var result = new Dictionary<long, ExperimentStats>();
        foreach (var id in experiments)
        {
            var buckets = await instance.Cache.GetExperimentBucketsAsync(team, id);
            result[id] = new ExperimentStats { SessionCount = buckets.Sum(b => (long)b.SessionCount), ParticipantCount = buckets.Sum(b => (long)b.NewParticipantCount), HumanMessageCount = buckets.Sum(b => b.HumanMessageCount), LastActivity = buckets.Max(b => b.LastActivity) };
        }

        return result;
    }

    /// <summary>Session rows as stored (a missing row reads as zeros), ungated.</summary>
    private static async Task<Dictionary<long, SessionStats>> StoredSessionsAsync(CacheHarness h, long team, IEnumerable<long> sessions)
    {
        var result = sessions.ToDictionary(id => id, _ => SessionStats.Empty);
        await using var command = h.Db.CreateCommand("SELECT session_id, human_message_count, last_activity, versions FROM statscache_session_statistics WHERE team_id = @team");
        command.Parameters.AddWithValue("team", team);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = reader.GetInt64(0);
            if (result.ContainsKey(id))
            {
                result[id] = new SessionStats { HumanMessageCount = reader.GetInt64(1), LastActivity = reader.IsDBNull(2) ? null : reader.GetDateTime(2), Versions = reader.GetFieldValue<string[]>(3) };
            }
        }

        return result;
    }
}

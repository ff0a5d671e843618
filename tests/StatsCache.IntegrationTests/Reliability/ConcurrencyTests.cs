using System.Collections.Concurrent;
using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// Several app instances run refresh, compress and backfill at once while the host's writers insert:
/// no deadlock, no lost update (exact after quiescing and one refresh), and the writers are never
/// blocked by our maintenance — observed in pg_locks / pg_stat_activity, not timed.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ConcurrencyTests(PostgresServer server, ITestOutputHelper output)
{
    private const string WriterApplication = "reliability-writer";
    private static readonly DateTime Start = new(2024, 9, 9, 20, 0, 0, DateTimeKind.Utc);
    private static readonly string[] SourceTables = ["chat_sessions", "chat_messages", "message_versions"];
    private static readonly string[] MaintenanceOperations = ["refresh", "compress", "backfill"];

    [Fact]
    public async Task ConcurrentMaintenanceNeverBlocksWritersLosesNothingAndConverges()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var lookBack = TimeSpan.FromHours(1);
        for (var i = 0; i < 30; i++)
        {
            var at = Start.AddHours(-i * 2.5);
            var s = await h.Data.AddSessionAsync(1 + (i % 2), 10 + (i % 4), i % 7, at);
            await h.Data.AddMessagesAsync(1 + (i % 2), 10 + (i % 4), s, [at, at.AddMinutes(40)], version: $"v{i % 3}");
        }

        var instances = Enumerable.Range(0, 3).Select(_ => CacheInstance.Create(h.ConnectionString, h.Clock, o => o.LookBack = lookBack)).ToList();
        await instances[0].Cache.RefreshAsync();
        var writerConnection = new NpgsqlConnectionStringBuilder(h.ConnectionString) { ApplicationName = WriterApplication }.ConnectionString;
        await using var writers = NpgsqlDataSource.Create(writerConnection);
        await using var probe = new LockProbe(h.ConnectionString);

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<Exception>();
        var operations = new ConcurrentDictionary<string, int>();
        var rows = 0;

        async Task Guard(Func<Task> work)
        {
            try
            {
                await work();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping: a call cancelled mid-way is part of the test (it must leave nothing partial).
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
                await stop.CancelAsync();
            }
        }

        // Time moves: compression cut-offs cross midnight while everything runs.
        var clock = Guard(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                h.Advance(TimeSpan.FromMinutes(3));
                await Task.Delay(15, stop.Token);
            }
        });

        // The host's writers: sessions and messages stamped in the last few minutes, committed at once.
        var writerTasks = Enumerable.Range(0, 2).Select(w => Guard(async () =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                var team = 1 + random.Next(2);
                var experiment = 10 + random.Next(4);
                var at = h.Now.AddSeconds(-random.Next(1, 300));
                await using var connection = await writers.OpenConnectionAsync(stop.Token);
                var id = await h.Data.AddSessionAsync(team, experiment, random.Next(20), at, connection); // ids: one thread-safe counter
                await h.Data.AddMessagesAsync(team, experiment, id, [at, at.AddSeconds(30)], version: $"v{random.Next(4)}", connection: connection);
                Interlocked.Increment(ref rows);
            }
        })).ToList();

        // Every instance fires refresh, compress and backfill (all or some experiments) at random.
        var workers = instances.Select((instance, i) => Guard(async () =>
        {
            var random = new Random(100 + i);
            while (!stop.IsCancellationRequested)
            {
                // One instance also backfills (a backfill waits for the lock and would otherwise keep it
                // queued all the time, so that refresh and compress, which skip, would never get a turn).
                var op = random.Next(i == 2 ? 10 : 6) switch { < 3 => "refresh", < 6 => "compress", < 8 => "backfill", _ => "backfill-some" };
                var skipped = op switch
                {
                    "refresh" => (await instance.Cache.RefreshAsync(stop.Token)).Skipped,
                    "compress" => (await instance.Cache.CompressAsync(stop.Token)).Skipped,
                    "backfill" => (await instance.Cache.BackfillAsync(cancellationToken: stop.Token)).Chunks < 0, // waits for the lock, never skips
                    _ => (await instance.Cache.BackfillAsync(new BackfillRequest { From = h.Now.AddDays(-2), ExperimentIds = [10, 12] }, cancellationToken: stop.Token)).Chunks < 0,
                };
                operations.AddOrUpdate(skipped ? op + " (skipped)" : op, 1, (_, n) => n + 1);
                if (op.StartsWith("backfill", StringComparison.Ordinal))
                {
                    await Task.Delay(50, stop.Token);
                }
                else if (skipped)
                {
                    await Task.Delay(5, stop.Token); // a scheduler would not retry at once either; spare the shared CPU
                }
            }
        })).ToList();

        // Watch until maintenance has been seen running next to active writers often enough.
        var observation = await probe.WatchAsync(
            until: o => o.MaintenanceActiveWithWriters >= 40 && o.Samples >= 200 && MaintenanceOperations.All(operations.ContainsKey),
            timeout: TimeSpan.FromSeconds(40),
            stop.Token);
        await stop.CancelAsync();
        await Task.WhenAll(workers.Concat(writerTasks).Append(clock)).WaitAsync(TimeSpan.FromSeconds(60));

        output.WriteLine($"{rows} writer transactions; operations: {string.Join(", ", operations.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))}");
        output.WriteLine(observation.ToString());
        failures.Should().BeEmpty("no deadlock (40P01), serialization failure or other error may escape maintenance or writers");
        observation.MaintenanceActiveWithWriters.Should().BeGreaterThanOrEqualTo(40, "the probe must have seen maintenance statements running while writers were active");
        observation.WriterLockWaits.Should().Be(0, "a writer of the host's tables never waits for a lock held by our maintenance");
        observation.MaintenanceLocksOnSource.Should().BeSubsetOf(["AccessShareLock"], "maintenance only reads the source; ACCESS SHARE conflicts with nothing a writer takes");
        operations.Keys.Should().Contain(MaintenanceOperations, "each kind of maintenance ran (not only skipped) while the writers wrote");

        // Quiesce, one refresh: exact, nothing lost, buckets well-formed.
        h.Advance(TimeSpan.FromMinutes(1));
        (await instances[0].Cache.RefreshAsync()).Skipped.Should().BeFalse();
        await Invariants.AssertCoverageAsync(h.Db, "after concurrent maintenance");
        await h.AssertExactAsync(1, "after concurrent maintenance");
        await h.AssertExactAsync(2, "after concurrent maintenance");
        (await h.Cache.GetStatusAsync()).BucketCounts.Keys.Should().Contain(BucketSize.Day, "compression rolled hours into days while everything ran");

        // The probe can fail: a conflicting lock taken by a backend that looks like ours is seen as a wait.
        await using var impostor = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(h.ConnectionString) { ApplicationName = CacheInstance.MaintenanceApplication }.ConnectionString);
        await using (var blocker = await impostor.OpenConnectionAsync())
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE chat_messages IN SHARE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            var blockedWrite = Task.Run(async () =>
            {
                await using var connection = await writers.OpenConnectionAsync();
                await new HostData(writers).AddMessagesAsync(1, 10, 1, [h.Now.AddMinutes(-1)], connection: connection);
            });
            var control = await probe.WatchAsync(until: o => o.WriterLockWaits > 0, timeout: TimeSpan.FromSeconds(20), CancellationToken.None);
            control.WriterLockWaits.Should().BeGreaterThan(0, "the probe sees a writer that waits for a lock held by a maintenance backend");
            await transaction.RollbackAsync();
            await blockedWrite.WaitAsync(TimeSpan.FromSeconds(20));
        }

        foreach (var instance in instances)
        {
            await instance.DisposeAsync();
        }
    }

    /// <summary>Samples pg_stat_activity and pg_locks of the test database from its own connection.</summary>
    private sealed class LockProbe(string connectionString) : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "reliability-probe" }.ConnectionString);

        /// <summary>Samples until <paramref name="until"/> holds, the timeout passes or <paramref name="stopped"/> is signalled (a worker failed).</summary>
        public async Task<Observation> WatchAsync(Func<Observation, bool> until, TimeSpan timeout, CancellationToken stopped)
        {
            var observation = new Observation();
            await using var connection = await _db.OpenConnectionAsync(CancellationToken.None);
            await using var command = new NpgsqlCommand($"""
                SELECT
                  (SELECT count(*) FROM pg_stat_activity w
                    WHERE w.datname = current_database() AND w.application_name = '{WriterApplication}'
                      AND (w.wait_event_type = 'Lock' OR EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = w.pid AND NOT l.granted))
                      AND EXISTS (SELECT 1 FROM pg_stat_activity m
                                  WHERE m.pid = ANY(pg_blocking_pids(w.pid)) AND m.application_name = '{CacheInstance.MaintenanceApplication}')),
                  (SELECT count(*) FROM pg_stat_activity w
                    WHERE w.datname = current_database() AND w.application_name = '{WriterApplication}' AND w.wait_event_type = 'Lock'),
                  (SELECT count(*) FROM pg_stat_activity a
                    WHERE a.datname = current_database() AND a.application_name = '{CacheInstance.MaintenanceApplication}' AND a.state = 'active'),
                  (SELECT count(*) FROM pg_stat_activity a
                    WHERE a.datname = current_database() AND a.application_name = '{WriterApplication}' AND a.state = 'active'),
                  ARRAY(SELECT DISTINCT l.mode FROM pg_locks l
                    JOIN pg_stat_activity a ON a.pid = l.pid
                    JOIN pg_class c ON c.oid = l.relation
                    WHERE a.application_name = '{CacheInstance.MaintenanceApplication}' AND c.relname = ANY(@tables))
                """, connection);
            command.Parameters.AddWithValue("tables", SourceTables);
            var deadline = DateTime.UtcNow + timeout;
            while (!until(observation) && DateTime.UtcNow < deadline && !stopped.IsCancellationRequested)
            {
                await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
                await reader.ReadAsync(CancellationToken.None);
                observation.Samples++;
                observation.WriterLockWaits += reader.GetInt64(0);
                observation.WriterLockWaitsAnyCause += reader.GetInt64(1);
                var maintenanceActive = reader.GetInt64(2) > 0;
                var writersActive = reader.GetInt64(3) > 0;
                if (maintenanceActive && writersActive)
                {
                    observation.MaintenanceActiveWithWriters++;
                }

                foreach (var mode in reader.GetFieldValue<string[]>(4))
                {
                    observation.MaintenanceLocksOnSource.Add(mode);
                }
            }

            return observation;
        }

        public ValueTask DisposeAsync() => _db.DisposeAsync();
    }

    private sealed class Observation
    {
        public long Samples { get; set; }

        /// <summary>Samples of a writer waiting for a lock held by one of our maintenance backends (pg_blocking_pids).</summary>
        public long WriterLockWaits { get; set; }

        /// <summary>Writer lock waits of any cause (e.g. two writers extending the same table): informational.</summary>
        public long WriterLockWaitsAnyCause { get; set; }

        public long MaintenanceActiveWithWriters { get; set; }

        public HashSet<string> MaintenanceLocksOnSource { get; } = [];

        public override string ToString() =>
            $"{Samples} samples; maintenance active next to writers in {MaintenanceActiveWithWriters}; writer waits on maintenance {WriterLockWaits} (on anything: {WriterLockWaitsAnyCause}); maintenance locks on source tables: {string.Join(", ", MaintenanceLocksOnSource)}";
    }
}

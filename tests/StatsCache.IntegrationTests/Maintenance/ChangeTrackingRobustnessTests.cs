using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StatsCache.ChangeTracking;
using StatsCache.Internal;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// What a broken or outdated change-tracking installation does: the host's writes always succeed,
/// and the next refresh refuses, saying what is wrong and what to do. Triggers follow the options in
/// force (a lower look-back needs nothing; a switch to Mirror is refused until re-installed), their
/// names never collide, and disabling removes every trace.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChangeTrackingRobustnessTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 4, 10, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task ARenamedTrackedColumnNeverFailsAHostWriteAndTheNextRefreshRefusesSayingWhatToDo()
    {
        await using var h = await BuiltAsync(SourceDeletions.Mirror);
        await ExecuteAsync(h, "ALTER TABLE message_versions RENAME COLUMN created_at TO tagged_at");

        // Late and erasing writes on the broken table: they succeed.
        var old = await OldestSessionAsync(h);
        await ExecuteAsync(h, $"INSERT INTO message_versions (session_id, version_label, tagged_at) VALUES ({old}, 'late', '{Start.AddDays(-20):O}')");
        await ExecuteAsync(h, $"DELETE FROM message_versions WHERE session_id = {old} AND version_label <> 'late'");

        var logs = new CapturedLogs();
        await using var instance = h.NewInstance(Tracking(SourceDeletions.Mirror), s => s.AddSingleton<ILoggerProvider>(logs));
        var cache = instance.GetRequiredService<IStatisticsCache>();
        h.Advance(TimeSpan.FromMinutes(2));
        var refusal = await cache.Invoking(c => c.RefreshAsync()).Should().ThrowAsync<InvalidOperationException>();
        refusal.WithMessage("*change tracking of cache 'default' is broken*column created_at of \"message_versions\" does not exist*EnableChangeTrackingAsync*ReconcileAsync*");
        logs.Errors.Should().ContainSingle(e => e.Contains("created_at", StringComparison.Ordinal), "the refusal is logged as an error");
        (await StatusWatermarkAsync(h)).Should().Be(Start, "a refused refresh moves nothing");
    }

    [Fact]
    public async Task ADroppedChangeTableNeverFailsAHostWriteAndTheNextRefreshRefuses()
    {
        await using var h = await BuiltAsync(SourceDeletions.Mirror);
        await ExecuteAsync(h, "DROP TABLE statscache_source_changes");

        var old = await OldestSessionAsync(h);
        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE session_id = {old}");
        var late = await h.Data.AddSessionAsync(1, 2, 77, Start.AddDays(-20));
        await h.Data.AddMessagesAsync(1, 2, late, Start.AddDays(-20), 2, "late");

        h.Advance(TimeSpan.FromMinutes(2));
        (await h.Cache.Invoking(c => c.RefreshAsync()).Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("*our table \"statscache_source_changes\" does not exist*apply the migration*EnableChangeTrackingAsync*");
    }

    [Fact]
    public async Task ATriggerThatFailsAtRunTimeLeavesAMarkerTheRefreshRefusesOnUntilReinstalled()
    {
        await using var h = await BuiltAsync(SourceDeletions.Mirror);

        // A failure the catalogs cannot show: our change table refuses every real change row.
        await ExecuteAsync(h, "ALTER TABLE statscache_source_changes ADD CONSTRAINT refuse_changes CHECK (session_id IS NULL)");
        var late = await h.Data.AddSessionAsync(1, 2, 77, Start.AddDays(-20));
        await h.Data.AddMessagesAsync(1, 2, late, Start.AddDays(-20), 2, "late");

        h.Advance(TimeSpan.FromMinutes(2));
        (await h.Cache.Invoking(c => c.RefreshAsync()).Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("*a trigger could not record a change in the hour from *PostgreSQL log*");

        // Repaired and re-installed: the marker is gone, refreshes run; a reconcile counts what was missed.
        await ExecuteAsync(h, "ALTER TABLE statscache_source_changes DROP CONSTRAINT refuse_changes");
        await h.Cache.EnableChangeTrackingAsync();
        await h.Cache.RefreshAsync();
        await h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-40), To = h.Now });
        await h.AssertExactAsync(1, "after the repair and a reconcile");
    }

    [Fact]
    public async Task ALowerLookBackNeedsNoReinstallAndStaysExact()
    {
        await using var h = await BuiltAsync(SourceDeletions.KeepHistory, TimeSpan.FromMinutes(15));
        await using var instance = h.NewInstance(o =>
        {
            Tracking(SourceDeletions.KeepHistory)(o);
            o.LookBack = TimeSpan.Zero;
        });
        var cache = instance.GetRequiredService<IStatisticsCache>();
        h.Advance(TimeSpan.FromMinutes(5));
        await cache.RefreshAsync(); // watermark 12:05; a look-back of 0 re-reads from 12:00 only

        // 11:55 is within the installed 15 minutes but before the new window: only the trigger can catch it.
        var late = await h.Data.AddSessionAsync(1, 2, 99, Start.AddMinutes(-5));
        await h.Data.AddMessagesAsync(1, 2, late, Start.AddMinutes(-5), 3, "late");
        h.Advance(TimeSpan.FromMinutes(1));
        await cache.RefreshAsync();

        await h.AssertExactAsync(1, "the trigger recorded the row older than the watermark, whatever the look-back");
    }

    [Fact]
    public async Task SwitchingToMirrorIsRefusedUntilReinstalledAndThenErasuresAreMirrored()
    {
        await using var h = await BuiltAsync(SourceDeletions.KeepHistory);
        await using var instance = h.NewInstance(Tracking(SourceDeletions.Mirror));
        var mirrored = instance.GetRequiredService<IStatisticsCache>();
        h.Advance(TimeSpan.FromMinutes(2));
        (await mirrored.Invoking(c => c.RefreshAsync()).Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("*_delete*which records deletions (StatisticsCacheOptions.Deletions = Mirror), is missing*EnableChangeTrackingAsync*");

        await mirrored.EnableChangeTrackingAsync();
        await mirrored.RefreshAsync();
        var old = await OldestSessionAsync(h);
        await ExecuteAsync(h, $"DELETE FROM message_versions WHERE session_id = {old}; DELETE FROM chat_messages WHERE session_id = {old}; DELETE FROM chat_sessions WHERE id = {old}");
        h.Advance(TimeSpan.FromMinutes(2));
        await mirrored.RefreshAsync();
        await h.AssertExactAsync(1, "the erasure 20+ days back was recorded and mirrored");

        // And back: the keep-history instance refuses the deletion triggers it would not want.
        (await h.Cache.Invoking(c => c.RefreshAsync()).Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("*records deletions, but StatisticsCacheOptions.Deletions is KeepHistory*");
    }

    [Fact]
    public async Task TwoLongCacheNamesWithACommonPrefixGetTheirOwnTriggersAndFunctions()
    {
        var prefix = new string('x', 40) + "_reporting_cache_";
        var (a, b) = (prefix + "a", prefix + "b");
        await using var h = await CacheHarness.CreateAsync(server, Start, Tracking(SourceDeletions.Mirror, a));
        await using var other = h.NewInstance(Tracking(SourceDeletions.Mirror, b));
        await h.Cache.EnableChangeTrackingAsync();
        await other.GetRequiredService<IStatisticsCache>().EnableChangeTrackingAsync();

        (await TriggerCountAsync(h, "chat_messages")).Should().Be(6, "two caches × insert, update, delete");
        (await TrackingFunctionsAsync(h)).Should().HaveCount(6, "two caches × three sources");
        (await ProblemsAsync(h.Services)).Should().BeEmpty("cache {0} is installed as its options want", a);
        (await ProblemsAsync(other)).Should().BeEmpty("cache {0} is installed as its options want", b);

        await h.Cache.DisableChangeTrackingAsync();
        (await TriggerCountAsync(h, "chat_messages")).Should().Be(3, "only the other cache's triggers remain");
        (await ProblemsAsync(other)).Should().BeEmpty("disabling one cache leaves the other intact");
    }

    [Fact]
    public async Task DisablingRemovesEveryTriggerAndFunctionAndWritesRecordNothing()
    {
        await using var h = await BuiltAsync(SourceDeletions.Mirror);
        (await TriggerCountAsync(h, "chat_messages")).Should().Be(3);

        // Disabled from an instance whose options no longer track anything (tracking switched off first).
        await using var off = h.NewInstance(o => o.ChangeTracking = false);
        await off.GetRequiredService<IStatisticsCache>().DisableChangeTrackingAsync();

        foreach (var table in new[] { "chat_sessions", "chat_messages", "message_versions" })
        {
            (await TriggerCountAsync(h, table)).Should().Be(0, "no trigger is left on {0}", table);
        }

        (await TrackingFunctionsAsync(h)).Should().BeEmpty("no function is left");
        var old = await OldestSessionAsync(h);
        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE session_id = {old}");
        var late = await h.Data.AddSessionAsync(1, 2, 77, Start.AddDays(-20));
        await h.Data.AddMessagesAsync(1, 2, late, Start.AddDays(-20), 2, "late");
        (await ScalarAsync<long>(h, "SELECT count(*) FROM statscache_source_changes")).Should().Be(0, "nothing records host writes any more");
    }

    private static Action<StatisticsCacheOptions> Tracking(SourceDeletions deletions, string? cacheName = null) => o =>
    {
        o.Deletions = deletions;
        o.ChangeTracking = true;
        o.HumanMessages.ChangeTrackingTable = "chat_messages";
        if (cacheName is not null)
        {
            o.CacheName = cacheName;
        }
    };

    /// <summary>A cache with change tracking installed, built over 30 days of sessions at <see cref="Start"/>.</summary>
    private async Task<CacheHarness> BuiltAsync(SourceDeletions deletions, TimeSpan? lookBack = null)
    {
        var h = await CacheHarness.CreateAsync(server, Start, o =>
        {
            Tracking(deletions)(o);
            o.LookBack = lookBack ?? o.LookBack;
        });
        var random = new Random(5);
        for (var i = 0; i < 15; i++)
        {
            var at = Start.AddHours(-24 * 3 - random.Next(24 * 27));
            var experiment = 1 + random.Next(3);
            var session = await h.Data.AddSessionAsync(1, experiment, 10 + random.Next(5), at);
            await h.Data.AddMessagesAsync(1, experiment, session, [at.AddMinutes(1), at.AddMinutes(2)], true, $"v{random.Next(2)}");
        }

        await h.Cache.EnableChangeTrackingAsync();
        await h.Cache.RefreshAsync();
        await h.AssertExactAsync(1, "after the build");
        return h;
    }

    private static async Task<IReadOnlyList<string>> ProblemsAsync(IServiceProvider services)
    {
        var env = services.GetRequiredService<CacheEnvironment>();
        await using var connection = await env.DataSource.OpenConnectionAsync();
        return await ChangeTrackingVerifier.ProblemsAsync(connection, env, CancellationToken.None);
    }

    private static Task<long> TriggerCountAsync(CacheHarness h, string table) =>
        ScalarAsync<long>(h, $"SELECT count(*) FROM pg_trigger WHERE tgrelid = '{table}'::regclass AND NOT tgisinternal");

    private static async Task<List<string>> TrackingFunctionsAsync(CacheHarness h)
    {
        await using var command = h.Db.CreateCommand("SELECT proname FROM pg_proc WHERE proname LIKE 'statscache%' ORDER BY 1");
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static Task<long> OldestSessionAsync(CacheHarness h) => ScalarAsync<long>(h, "SELECT id FROM chat_sessions ORDER BY created_at LIMIT 1");

    private static async Task<DateTime?> StatusWatermarkAsync(CacheHarness h) => (await h.Cache.GetStatusAsync(0)).Watermark;

    private static async Task<T> ScalarAsync<T>(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Collects the error messages the cache logs.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _errors = new();

        public IReadOnlyCollection<string> Errors => _errors;

        public ILogger CreateLogger(string categoryName) => new Logger(_errors);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    errors.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}

using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StatsCache.Hosting;
using StatsCache.IntegrationTests.Host;
using Npgsql;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.IntegrationTests.Reliability;

namespace StatsCache.IntegrationTests.Hosting;

/// <summary>
/// <c>AddHostedMaintenance()</c> on a real database and a fake clock: refreshes, compressions and verifies run on
/// their intervals, a failing run is logged and shows in the health check while the loop goes on, and a stop ends
/// the loop at once. The tests step the clock only when the service has logged that it waits (event 222), which
/// it does after arming its timer, so no step is lost and nothing depends on real time.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HostedMaintenanceTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 3, 10, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>Bounds a wait for the service's next log line, so a broken loop fails the test instead of hanging it.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task RefreshCompressAndVerifyRunOnTheirIntervalsOfTheRegisteredTimeProvider()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await Seed(h);
        var logs = new ServiceLogs();
        await using var services = Instance(h, logs, o =>
        {
            o.RefreshInterval = TimeSpan.FromMinutes(10);
            o.CompressInterval = TimeSpan.FromHours(1);
            o.VerifyInterval = TimeSpan.FromHours(2);
        });
        var service = services.GetRequiredService<HostedMaintenanceService>();

        await service.StartAsync(CancellationToken.None);
        (await logs.NextWaitAsync()).Should().Be(h.Now.AddMinutes(10), "refresh and compress ran at once; the next refresh is due in 10 minutes");
        var first = await RunsAsync(h);
        first.Should().BeEquivalentTo(new Dictionary<string, int> { ["backfill"] = 1, ["compress"] = 1 }, "the first refresh builds the cache (a backfill), then it compresses; the first verify waits its interval");
        (await h.Cache.GetStatusAsync()).Watermark.Should().NotBeNull("the first refresh built the cache");

        for (var i = 1; i <= 12; i++)
        {
            h.Advance(TimeSpan.FromMinutes(10));
            await logs.NextWaitAsync();
        }

        var runs = await RunsAsync(h);
        runs["backfill"].Should().Be(1, "the first refresh built the cache");
        runs["refresh"].Should().Be(12, "one every 10 minutes for two hours");
        runs["compress"].Should().Be(3, "at the start and after one and two hours");
        runs["verify"].Should().Be(1, "after two hours");
        (await h.Cache.GetStatusAsync()).WatermarkLag.Should().BeLessThan(TimeSpan.FromMinutes(10), "the last refresh ran at the fake clock's now");
        logs.Failures.Should().BeEmpty();
        await h.AssertExactAsync(1, "after two hours of hosted maintenance");

        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AFailingRefreshIsLoggedTheLoopGoesOnAndTheHealthCheckDegradesUntilItWorksAgain()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await Seed(h);
        var logs = new ServiceLogs();
        await using var services = Instance(h, logs, configureServices: s => s.AddHealthChecks().AddStatisticsCache());
        var service = services.GetRequiredService<HostedMaintenanceService>();
        var health = services.GetRequiredService<HealthCheckService>();

        await service.StartAsync(CancellationToken.None);
        await logs.NextWaitAsync();
        (await CheckAsync(health)).Status.Should().Be(HealthStatus.Healthy);

        await ExecuteAsync(h, "ALTER TABLE chat_messages RENAME COLUMN is_human TO is_human_renamed");
        h.Advance(TimeSpan.FromMinutes(2));
        (await logs.NextWaitAsync()).Should().Be(h.Now.AddMinutes(2), "the loop goes on after a failed refresh");

        var failure = logs.Failures.Should().ContainSingle().Subject;
        failure.Message.Should().Contain("StatsCache hosted refresh failed").And.Contain($"{h.Now.AddMinutes(2):O}"[..16]);
        failure.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("is_human");
        var error = logs.Events.Where(e => e.Level >= LogLevel.Error).Should().ContainSingle("a failure is logged once at Error (by the cache, event 162), not again by the loop").Subject;
        error.Id.Should().Be(162);
        error.Exception.Should().BeOfType<InvalidOperationException>();
        var degraded = await CheckAsync(health);
        degraded.Status.Should().Be(HealthStatus.Degraded, "the failed run was recorded in the run history");
        degraded.Description.Should().Contain("The last refresh failed").And.Contain("is_human");

        h.Advance(TimeSpan.FromMinutes(2));
        await logs.NextWaitAsync();
        logs.Failures.Should().HaveCount(2, "the next refresh is tried, and fails again");

        await ExecuteAsync(h, "ALTER TABLE chat_messages RENAME COLUMN is_human_renamed TO is_human");
        h.Advance(TimeSpan.FromMinutes(2));
        await logs.NextWaitAsync();
        logs.Failures.Should().HaveCount(2, "the refresh works again");
        (await CheckAsync(health)).Status.Should().Be(HealthStatus.Healthy);
        service.ExecuteTask!.IsCompleted.Should().BeFalse("a failure never ends the loop");

        await service.StopAsync(CancellationToken.None);
        service.ExecuteTask.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task StopEndsTheLoopWhileItWaitsWithoutTheClockMoving()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await Seed(h);
        var logs = new ServiceLogs();
        await using var services = Instance(h, logs);
        var service = services.GetRequiredService<HostedMaintenanceService>();
        await service.StartAsync(CancellationToken.None);
        await logs.NextWaitAsync();

        // The fake clock never moves: StopAsync can only return because the wait was cancelled.
        await service.StopAsync(CancellationToken.None).WaitAsync(HangGuard);

        service.ExecuteTask!.IsCompletedSuccessfully.Should().BeTrue("a stop is not a failure");
        logs.Events.Should().Contain(e => e.Id == 223, "the stop is logged");
        logs.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task StopCancelsARefreshBlockedInTheDatabaseAndEndsTheLoopWithoutAFailure()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await Seed(h);
        var logs = new ServiceLogs();
        var tagged = new NpgsqlConnectionStringBuilder(h.ConnectionString) { ApplicationName = CacheInstance.MaintenanceApplication }.ConnectionString;
        await using var services = Instance(h, logs, cache: o => o.ConnectionString = tagged);
        var service = services.GetRequiredService<HostedMaintenanceService>();
        await service.StartAsync(CancellationToken.None);
        await logs.NextWaitAsync();

        var (connection, transaction) = await BlockedBackend.LockStateRowAsync(h.Db);
        await using (connection)
        {
            h.Advance(TimeSpan.FromMinutes(2));
            await BlockedBackend.WaitForBlockedCacheBackendAsync(h.Db, service.ExecuteTask!);

            await service.StopAsync(CancellationToken.None).WaitAsync(HangGuard);

            service.ExecuteTask!.IsCompletedSuccessfully.Should().BeTrue("the refresh was cancelled by the stop");
            logs.Failures.Should().BeEmpty("a cancelled run is not a failure");
            await transaction.RollbackAsync();
        }

        (await RunsAsync(h)).Keys.Should().NotContain("refresh failed", "cancellation is not recorded as a failed run");
    }

    [Fact]
    public async Task TheFirstRunWaitsTheJitterDrawnFromTheSeedAndNothingRunsBefore()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await Seed(h);
        var logs = new ServiceLogs();
        await using var services = Instance(h, logs);
        var options = Options.Create(new HostedMaintenanceOptions { StartJitter = TimeSpan.FromSeconds(10) });
        var jitter = HostedMaintenanceService.Jitter(options.Value.StartJitter, new Random(1234));
        jitter.Should().BePositive();
        using var service = new HostedMaintenanceService(services.GetRequiredService<IScheduledMaintenance>(), options, h.Clock, services.GetRequiredService<ILogger<HostedMaintenanceService>>(), new Random(1234));

        await service.StartAsync(CancellationToken.None);
        (await logs.NextWaitAsync()).Should().Be(h.Now + jitter, "the first run waits the drawn jitter");
        (await RunsAsync(h)).Should().BeEmpty("nothing runs before the jitter has passed");

        h.Advance(jitter);
        (await logs.NextWaitAsync()).Should().Be(h.Now.AddMinutes(2));
        (await RunsAsync(h)).Should().BeEquivalentTo(new Dictionary<string, int> { ["backfill"] = 1, ["compress"] = 1 }, "the first refresh builds the cache");

        await service.StopAsync(CancellationToken.None);
    }

    /// <summary>An app instance with hosted maintenance (no start jitter unless set), its logs captured.</summary>
    private static ServiceProvider Instance(CacheHarness h, ServiceLogs logs, Action<HostedMaintenanceOptions>? configure = null, Action<IServiceCollection>? configureServices = null, Action<StatisticsCacheOptions>? cache = null) =>
        h.NewInstance(cache, s =>
        {
            s.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
            // The public wiring: re-entering AddStatisticsCache only returns the builder; the harness adds the options.
            s.AddStatisticsCache(static _ => { }).AddHostedMaintenance(o =>
            {
                o.StartJitter = TimeSpan.Zero;
                configure?.Invoke(o);
            });
            configureServices?.Invoke(s);
        });

    /// <summary>How many runs of each operation the run history holds.</summary>
    private static async Task<Dictionary<string, int>> RunsAsync(CacheHarness h) =>
        (await h.Cache.GetStatusAsync(1000)).RecentRuns.GroupBy(r => r.Operation).ToDictionary(g => g.Key, g => g.Count());

    private static async Task<HealthReportEntry> CheckAsync(HealthCheckService health) => (await health.CheckHealthAsync()).Entries["statscache"];

    private static async Task Seed(CacheHarness h)
    {
        for (var i = 0; i < 6; i++)
        {
            var at = Start.AddDays(-i - 1);
            var session = await h.Data.AddSessionAsync(1, 10 + i % 2, 100 + i % 3, at);
            await h.Data.AddMessagesAsync(1, 10 + i % 2, session, at.AddMinutes(3), 2);
        }
    }

    private static async Task ExecuteAsync(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private sealed record LogEvent(int Id, LogLevel Level, string Message, Exception? Exception);

    /// <summary>The library's log lines; <see cref="NextWaitAsync"/> awaits its next "waits until".</summary>
    private sealed class ServiceLogs : ILoggerProvider
    {
        private readonly Channel<DateTime> _waits = Channel.CreateUnbounded<DateTime>();
        private readonly List<LogEvent> _events = [];

        public IReadOnlyList<LogEvent> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public IReadOnlyList<LogEvent> Failures => Events.Where(e => e.Id == 221).ToList();

        public async Task<DateTime> NextWaitAsync() => await _waits.Reader.ReadAsync().AsTask().WaitAsync(HangGuard);

        // The library's own categories (the loop and the cache it drives), not the host's.
        public ILogger CreateLogger(string categoryName) => categoryName.StartsWith("StatsCache.", StringComparison.Ordinal) ? new Logger(this) : NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Logger(ServiceLogs logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (logs._events)
                {
                    logs._events.Add(new LogEvent(eventId.Id, logLevel, formatter(state, exception), exception));
                }

                if (eventId.Id == 222 && state is IReadOnlyList<KeyValuePair<string, object?>> values && values.FirstOrDefault(v => v.Key == "Due").Value is DateTimeOffset due)
                {
                    logs._waits.Writer.TryWrite(due.UtcDateTime);
                }
            }
        }
    }
}

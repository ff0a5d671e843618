using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Health;

/// <summary>
/// The health check reports what would otherwise be silently wrong: a failed maintenance run with its
/// error, drift a verify found and did not repair, a missing or emptied cache table.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HealthProblemsTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 3, 10, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task AFailedRefreshDegradesWithItsErrorThenFailsAndClearsOnTheNextSuccess()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var health = Health(h, out var services);
        await using var _ = services;
        await Seed(h);
        await h.Cache.RefreshAsync();
        (await CheckAsync(health)).Status.Should().Be(HealthStatus.Healthy);

        await ExecuteAsync(h, "ALTER TABLE chat_messages RENAME COLUMN is_human TO is_human_renamed");
        h.Advance(TimeSpan.FromMinutes(2));
        var refresh = () => h.Cache.RefreshAsync();
        await refresh.Should().ThrowAsync<InvalidOperationException>();

        var degraded = await CheckAsync(health);
        degraded.Status.Should().Be(HealthStatus.Degraded, "the last refresh failed");
        degraded.Description.Should().Contain("The last refresh failed").And.Contain("is_human");
        degraded.Data["refreshError"].Should().BeOfType<string>().Which.Should().Contain("is_human");

        h.Advance(TimeSpan.FromMinutes(11));
        await refresh.Should().ThrowAsync<InvalidOperationException>();
        var failing = await CheckAsync(health);
        failing.Status.Should().Be(HealthStatus.Unhealthy, "refreshes keep failing past the degraded threshold");
        failing.Description.Should().Contain("is_human");

        await ExecuteAsync(h, "ALTER TABLE chat_messages RENAME COLUMN is_human_renamed TO is_human");
        await h.Cache.RefreshAsync();
        (await CheckAsync(health)).Status.Should().Be(HealthStatus.Healthy, "the refresh works again");
        (await h.Cache.GetStatusAsync()).RecentRuns.Should().Contain(r => r.Operation == "refresh failed" && r.Detail!.Contains("is_human"));
    }

    [Fact]
    public async Task DriftFoundAndNotRepairedDegradesWithItsRangesUntilAVerifyRepairsIt()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var health = Health(h, out var services);
        await using var _ = services;
        await Seed(h);
        await h.Cache.RefreshAsync();
        var late = await h.Data.AddSessionAsync(1, 10, 77, h.Now.AddDays(-4));
        await h.Data.AddMessagesAsync(1, 10, late, h.Now.AddDays(-4), 2);

        var report = await h.Cache.VerifyAsync(new VerifyRequest { Repair = false });
        var range = report.Unrepaired.Should().ContainSingle().Subject;

        var degraded = await CheckAsync(health);
        degraded.Status.Should().Be(HealthStatus.Degraded);
        degraded.Description.Should().Contain("not repaired").And.Contain($"{range.From:O}");
        degraded.Data["drift"].Should().BeOfType<string>().Which.Should().Contain($"{range.From:O}");

        (await h.Cache.VerifyAsync()).Clean.Should().BeTrue();
        (await CheckAsync(health)).Status.Should().Be(HealthStatus.Healthy);
        await h.AssertExactAsync(1, "after the repair");
    }

    [Fact]
    public async Task ADroppedCacheTableIsNamedByTheHealthCheckAndByReadsAndRefreshes()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var health = Health(h, out var services);
        await using var _ = services;
        var sessions = await Seed(h);
        await h.Cache.RefreshAsync();

        await ExecuteAsync(h, "DROP TABLE statscache_session_statistics");

        var result = await CheckAsync(health);
        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("statscache_session_statistics").And.Contain("missing");
        var read = () => h.Cache.GetSessionTotalsAsync(1, sessions);
        (await read.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*statscache_session_statistics*");
        var refresh = () => h.Cache.RefreshAsync();
        (await refresh.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*statscache_session_statistics*");
    }

    [Fact]
    public async Task AnEmptiedBucketTableUnderABuiltStateIsReportedAndReadsServeLiveNumbers()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var health = Health(h, out var services);
        await using var _ = services;
        await Seed(h);
        await h.Cache.RefreshAsync();

        await ExecuteAsync(h, "TRUNCATE statscache_experiment_buckets");

        var result = await CheckAsync(health);
        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("statscache_experiment_buckets").And.Contain("empty");
        await h.AssertExactAsync(1, "an emptied bucket table must not read as zeros");

        await h.Cache.BackfillAsync();
        (await CheckAsync(health)).Status.Should().Be(HealthStatus.Healthy);
    }

    [Fact]
    public async Task AMissingTotalsTableIsNamedByTheHealthCheck()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var health = Health(h, out var services);
        await using var _ = services;
        await Seed(h);
        await h.Cache.RefreshAsync();

        await ExecuteAsync(h, "DROP TABLE statscache_experiment_totals");

        var result = await CheckAsync(health);
        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("statscache_experiment_totals").And.Contain("missing");
        await h.Cache.EnsureTablesCreatedAsync();
    }

    [Fact]
    public async Task ABuiltCacheWithoutTotalsRowsServesLiveNumbersUntilTheNextRefreshFillsThemFromItsBuckets()
    {
        // An upgrade: the cache was built before the totals table existed; the migration (or EnsureTablesCreated) adds it empty.
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await Seed(h);
        await h.Cache.RefreshAsync();
        await ExecuteAsync(h, "TRUNCATE statscache_experiment_totals");

        await h.AssertExactAsync(1, "without totals rows, reads must not show zeros", ReadMode.Cached);
        await h.AssertExactAsync(1, "without totals rows, reads must not show zeros", ReadMode.RealTime);

        h.Advance(TimeSpan.FromMinutes(5));
        await h.Cache.RefreshAsync();
        (await CountAsync(h, "SELECT count(*) FROM statscache_experiment_totals")).Should().Be(2, "the refresh filled a row per experiment from the buckets");
        (await Reliability.Invariants.CoverageProblemsAsync(h.Db)).Should().BeEmpty();
        await h.AssertExactAsync(1, "after the fill");
    }

    private static async Task<long> CountAsync(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static HealthCheckService Health(CacheHarness h, out ServiceProvider services)
    {
        services = h.NewInstance(configureServices: s => s.AddHealthChecks().AddStatisticsCache());
        return services.GetRequiredService<HealthCheckService>();
    }

    private static async Task<HealthReportEntry> CheckAsync(HealthCheckService health) => (await health.CheckHealthAsync()).Entries["statscache"];

    private static async Task<List<long>> Seed(CacheHarness h)
    {
        var sessions = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            var at = Start.AddDays(-i - 1);
            var session = await h.Data.AddSessionAsync(1, 10 + i % 2, 100 + i % 3, at);
            sessions.Add(session);
            await h.Data.AddMessagesAsync(1, 10 + i % 2, session, at.AddMinutes(3), 2);
        }

        return sessions;
    }

    private static async Task ExecuteAsync(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

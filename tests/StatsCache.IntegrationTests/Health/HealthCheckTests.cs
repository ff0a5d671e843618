using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Health;

/// <summary>The health check judges the refresh job, not the traffic: quiet is healthy, stopped is not.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HealthCheckTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task NeverBuiltFailsQuietButRefreshedIsHealthyAndAStoppedJobDegradesThenFails()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await using var services = h.NewInstance(configureServices: s => s.AddHealthChecks().AddStatisticsCache(degradedAfter: TimeSpan.FromMinutes(10), unhealthyAfter: TimeSpan.FromHours(1)));
        var health = services.GetRequiredService<HealthCheckService>();

        (await health.CheckHealthAsync()).Status.Should().Be(HealthStatus.Unhealthy, "the cache was never built");

        await h.Cache.RefreshAsync();
        (await health.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);

        // No new data for hours, but the job keeps refreshing: still healthy.
        for (var i = 0; i < 5; i++)
        {
            h.Advance(TimeSpan.FromMinutes(50));
            await h.Cache.RefreshAsync();
        }

        (await health.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy, "no new data is not a dead job");

        h.Advance(TimeSpan.FromMinutes(20));
        var degraded = await health.CheckHealthAsync();
        degraded.Status.Should().Be(HealthStatus.Degraded);
        degraded.Entries["statscache"].Description.Should().Contain("20 min ago");

        h.Advance(TimeSpan.FromHours(1));
        (await health.CheckHealthAsync()).Entries["statscache"].Description.Should().Contain("is the refresh job running?");
    }
}

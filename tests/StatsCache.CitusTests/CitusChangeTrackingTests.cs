using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StatsCache.CitusTests.Infrastructure;

namespace StatsCache.CitusTests;

/// <summary>
/// Change tracking on distributed tables is refused, clearly, and the host's writes never fail:
/// the install throws (and its migration script raises) before touching anything, a refresh of a
/// cache configured for change tracking refuses and is recorded as failed (what the health check
/// reports), removing change tracking works, and the host keeps writing all along.
/// </summary>
[Collection(CitusCollection.Name)]
public sealed class CitusChangeTrackingTests(CitusCluster cluster)
{
    private static readonly DateTime Start = new(2024, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task InstallOnDistributedTablesIsRefusedAndTheHostKeepsWriting()
    {
        await using var h = await CitusHarness.CreateAsync(cluster, Start, o =>
        {
            o.ChangeTracking = true;
            o.HumanMessages.ChangeTrackingTable = "chat_messages";
        });
        var session = await h.Data.AddSessionAsync(1, 1, 7, Start.AddDays(-2));
        await h.Data.AddMessagesAsync(1, 1, session, [Start.AddDays(-2)], human: true, version: "v1");

        var install = () => h.Cache.EnableChangeTrackingAsync();
        (await install.Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("*refusing to install change tracking*chat_sessions*distributed by Citus*VerifyAsync*ReconcileAsync*");

        // The migration script refuses on its own, in the database, before it installs anything.
        await using (var command = h.Db.CreateCommand(h.Cache.GetChangeTrackingScript()))
        {
            var script = () => command.ExecuteNonQueryAsync();
            (await script.Should().ThrowAsync<PostgresException>()).Which.MessageText.Should().Contain("distributed by Citus");
        }

        await using (var triggers = h.Db.CreateCommand("SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('chat_sessions'::regclass, 'chat_messages'::regclass, 'message_versions'::regclass) AND NOT tgisinternal"))
        {
            (await triggers.ExecuteScalarAsync()).Should().Be(0L, "nothing was installed");
        }

        // A refresh of a cache configured for change tracking refuses, and says so in its run history.
        var refresh = () => h.Cache.RefreshAsync();
        (await refresh.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*cannot run*distributed by Citus*VerifyAsync*");
        (await h.Cache.GetStatusAsync()).RecentRuns.Should().Contain(r => r.Operation == "refresh failed");
        var health = await h.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        health.Status.Should().NotBe(HealthStatus.Healthy);
        string.Join(" ", health.Entries.Select(e => e.Value.Description)).Should().Contain("distributed by Citus");

        // Removing it works, and the host's writes succeed throughout.
        await h.Cache.DisableChangeTrackingAsync();
        var later = await h.Data.AddSessionAsync(1, 2, 8, Start.AddDays(-1));
        await h.Data.AddMessagesAsync(1, 2, later, [Start.AddDays(-1)], human: true, version: "v2");
    }

    [Fact]
    public async Task WithoutChangeTrackingVerifyRepairsRowsCommittedLateBelowTheWatermark()
    {
        await using var h = await CitusHarness.CreateAsync(cluster, Start);
        var session = await h.Data.AddSessionAsync(2, 1, 7, Start.AddDays(-3));
        await h.Data.AddMessagesAsync(2, 1, session, [Start.AddDays(-3)], human: true);
        await h.Cache.RefreshAsync();

        // Committed late, far below the watermark: the refresh window does not see it.
        h.Advance(TimeSpan.FromHours(2));
        var late = await h.Data.AddSessionAsync(2, 1, 9, Start.AddDays(-2));
        await h.Data.AddMessagesAsync(2, 1, late, [Start.AddDays(-2), Start.AddDays(-2).AddMinutes(3)], human: true);
        await h.Cache.RefreshAsync();
        var stale = await h.Cache.GetExperimentTotalsAsync(2, [1L]);
        stale[1].SessionCount.Should().Be(1, "a refresh reads its own window only");

        var verified = await h.Cache.VerifyAsync(StatsCache.VerifyRequest.Everything());
        verified.Clean.Should().BeTrue();
        await h.AssertExactAsync(2, "after the verify repaired the late rows");
    }
}

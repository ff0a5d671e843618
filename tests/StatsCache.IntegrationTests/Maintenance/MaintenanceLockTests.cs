using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Internal;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>Several app instances may run the jobs at once: the cache serialises its own maintenance.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MaintenanceLockTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 7, 1, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task RefreshAndCompressSkipWhileAnotherInstanceHoldsTheLockAndBackfillWaits()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var s = await h.Data.AddSessionAsync(1, 10, 1, Start.AddHours(-1));
        await h.Data.AddMessagesAsync(1, 10, s, Start.AddMinutes(-50), 3);
        var key = h.Services.GetRequiredService<CacheEnvironment>().LockKey;

        await using var other = await h.Db.OpenConnectionAsync();
        await Execute(other, "SELECT pg_advisory_lock(@key)", key);

        (await h.Cache.RefreshAsync()).Skipped.Should().BeTrue();
        (await h.Cache.CompressAsync()).Skipped.Should().BeTrue();
        var backfill = h.Cache.BackfillAsync();

        // Wait until the backfill is observably blocked on the advisory lock, then let it go.
        await WaitUntilAsync(h.Db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        backfill.IsCompleted.Should().BeFalse();
        await Execute(other, "SELECT pg_advisory_unlock(@key)", key);

        var result = await backfill;
        result.Chunks.Should().BeGreaterThan(0);
        await h.AssertExactAsync(1);
    }

    [Fact]
    public async Task ConcurrentMaintenanceFromSeveralInstancesKeepsTotalsExact()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await using var second = h.NewInstance();
        await using var third = h.NewInstance();
        var instances = new[] { h.Cache, second.GetRequiredService<IStatisticsCache>(), third.GetRequiredService<IStatisticsCache>() };
        await h.Cache.RefreshAsync();
        for (var round = 0; round < 6; round++)
        {
            var s = await h.Data.AddSessionAsync(1, 10 + (round % 2), round, h.Now.AddMinutes(-3));
            await h.Data.AddMessagesAsync(1, 10 + (round % 2), s, h.Now.AddMinutes(-2), round + 1);
            h.Advance(TimeSpan.FromHours(5));

            // Every instance fires its jobs at once; whoever gets the lock does the work, the others skip.
            var refreshes = instances.Select(c => c.RefreshAsync()).ToList();
            var compressions = instances.Select(c => c.CompressAsync()).ToList();
            await Task.WhenAll(refreshes.Cast<Task>().Concat(compressions));
            var worked = refreshes.Count(t => !t.Result.Skipped) + compressions.Count(t => !t.Result.Skipped);
            worked.Should().BeGreaterThan(0, "whoever took the lock did its job");

            await instances[round % 3].RefreshAsync(); // in case the refresh lost the race to a compression
            await h.AssertExactAsync(1);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, long key)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task WaitUntilAsync(NpgsqlDataSource db, string countQuery)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            await using var command = db.CreateCommand(countQuery);
            if ((long)(await command.ExecuteScalarAsync(timeout.Token))! > 0)
            {
                return;
            }

            await Task.Yield();
        }
    }
}

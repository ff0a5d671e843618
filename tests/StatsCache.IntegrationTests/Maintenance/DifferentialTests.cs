using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.TestSupport.Histories;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// Random source data and random interleavings of inserts, refresh, compress and backfill under a
/// fake clock; after every operation every experiment and session total of every team must equal
/// the live SQL over the source, exactly (in cached, real-time and live mode), on both host shapes —
/// the built-in statistics and the host's own measures (bot_messages, tokens_used; <see cref="HostWiring.DeclareMeasures"/>).
/// The history itself is <see cref="DifferentialHistory"/>, shared with the Citus suite.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DifferentialTests(PostgresServer server, ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, HostShape.GlobalSessionIds)]
    [InlineData(2, HostShape.GlobalSessionIds)]
    [InlineData(3, HostShape.GlobalSessionIds)]
    [InlineData(4, HostShape.TeamScopedIds)]
    [InlineData(5, HostShape.TeamScopedIds)]
    public async Task EveryTotalEqualsTheLiveQueryAfterEveryOperation(int seed, HostShape shape)
    {
        await using var h = await CacheHarness.CreateAsync(server, DifferentialHistory.Start, shape: shape, measures: HostWiring.MeasuresByDefault);
        output.WriteLine(await DifferentialHistory.RunAsync(h, seed));
    }
}

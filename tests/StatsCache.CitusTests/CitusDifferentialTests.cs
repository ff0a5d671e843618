using StatsCache.CitusTests.Infrastructure;
using StatsCache.TestSupport.Histories;
using Xunit.Abstractions;

namespace StatsCache.CitusTests;

/// <summary>
/// The integration suite's differential test on Citus (team-scoped host, every table distributed by
/// team): the same random histories (<see cref="DifferentialHistory"/>, shared with
/// tests/StatsCache.IntegrationTests), after every operation every experiment and session total of
/// every team equal to the live SQL over the source, exactly, in cached, real-time and live mode.
/// </summary>
[Collection(CitusCollection.Name)]
public sealed class CitusDifferentialTests(CitusCluster cluster, ITestOutputHelper output)
{
    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public async Task EveryTotalEqualsTheLiveQueryAfterEveryOperation(int seed)
    {
        await using var h = await CitusHarness.CreateAsync(cluster, DifferentialHistory.Start);
        var summary = await DifferentialHistory.RunAsync(h, seed);
        output.WriteLine($"{cluster.Description}; {summary}");
    }
}

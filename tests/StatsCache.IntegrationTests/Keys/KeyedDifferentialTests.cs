using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.TestSupport.Histories;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Keys;

/// <summary>
/// The differential test (<see cref="Maintenance.DifferentialTests"/>, <see cref="DifferentialHistory"/>)
/// on hosts whose ids are not <c>long</c>: the same seeds play the same histories over integer columns,
/// the host's EF model mapping the sources (key types inferred) or raw SQL sources with the key types
/// declared; after every operation every total equals the live SQL, exactly, per id.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KeyedDifferentialTests(PostgresServer server, ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, HostShape.GlobalSessionIds, "Int32", HostSources.EntityModel)]
    [InlineData(4, HostShape.TeamScopedIds, "Int32", HostSources.Sql)]
    public async Task EveryTotalEqualsTheLiveQueryAfterEveryOperation(int seed, HostShape shape, string keys, HostSources sources)
    {
        await using var h = await KeyedHarness.CreateAsync(server, DifferentialHistory.Start, HostKeys.Parse(keys), shape, sources);
        output.WriteLine(await DifferentialHistory.RunAsync(h, seed));
    }
}

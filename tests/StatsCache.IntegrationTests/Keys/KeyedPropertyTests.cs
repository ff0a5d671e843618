using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.IntegrationTests.Reliability;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Keys;

/// <summary>
/// The property-based check of the five invariants (<see cref="InvariantPropertyTests"/>) on hosts whose
/// ids are not <c>long</c>: the same generated histories over integer columns, sources from the host's
/// EF model or raw SQL with declared key types. Fewer histories than the long-keyed runs (they keep the
/// suite's time in check; the histories and checks are the same).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KeyedPropertyTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public Task IntKeyedHistoriesKeepEveryInvariant() =>
        InvariantPropertyTests.SampleAsync(server, output, HostShape.GlobalSessionIds, DeletionSemantics.KeepHistory, 20, HostKeys.Int32);

    [Fact]
    public Task IntKeyedHistoriesWithSqlSourcesAndIdsSharedAcrossTeamsAreExactWhenMirroredAndTracked() =>
        InvariantPropertyTests.SampleAsync(server, output, HostShape.TeamScopedIds, DeletionSemantics.Mirror, 10, HostKeys.Int32, HostSources.Sql);
}

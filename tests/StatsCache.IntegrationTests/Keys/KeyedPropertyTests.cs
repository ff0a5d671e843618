using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.IntegrationTests.Reliability;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Keys;

/// <summary>
/// The property-based check of the five invariants (<see cref="InvariantPropertyTests"/>: coverage,
/// exactness, compression, idempotence, isolation) on hosts whose ids are not <c>long</c>: the same
/// generated histories over uuid and integer columns, sources from the host's EF model (key types
/// inferred) or raw SQL with the key types declared, the host's measures (bot messages, tokens used) declared. Fewer histories than the long-keyed runs (Guid: 15
/// kept-history and 8 mirrored; int: 10 and 6 — against 120 and 60), to keep the suite's time in check;
/// the generator, the histories and the checks are the same.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KeyedPropertyTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public Task GuidKeyedHistoriesKeepEveryInvariant() =>
        InvariantPropertyTests.SampleAsync(server, output, HostShape.GlobalSessionIds, DeletionSemantics.KeepHistory, 15, HostKeys.Guid);

    [Fact]
    public Task GuidKeyedHistoriesWithSqlSourcesAndIdsSharedAcrossTeamsAreExactWhenMirroredAndTracked() =>
        InvariantPropertyTests.SampleAsync(server, output, HostShape.TeamScopedIds, DeletionSemantics.Mirror, 8, HostKeys.Guid, HostSources.Sql);

    [Fact]
    public Task IntKeyedHistoriesKeepEveryInvariant() =>
        InvariantPropertyTests.SampleAsync(server, output, HostShape.GlobalSessionIds, DeletionSemantics.KeepHistory, 10, HostKeys.Int32);

    [Fact]
    public Task IntKeyedHistoriesWithSqlSourcesAndIdsSharedAcrossTeamsAreExactWhenMirroredAndTracked() =>
        InvariantPropertyTests.SampleAsync(server, output, HostShape.TeamScopedIds, DeletionSemantics.Mirror, 6, HostKeys.Int32, HostSources.Sql);
}

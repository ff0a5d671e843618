using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.TestSupport.Histories;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Keys;

/// <summary>
/// The differential test (<see cref="Maintenance.DifferentialTests"/>, <see cref="DifferentialHistory"/>)
/// on hosts whose ids are not <c>long</c>: the same seeds play the same histories over uuid columns —
/// sources mapped from the host's EF model (key types inferred from it), or raw SQL sources with the key
/// types declared, on the team-scoped host — and on a host with a type per kind (int teams, Guid
/// experiments and participants, long sessions), where an id cast to another kind's type would show.
/// After every operation every total — the host's measures (bot_messages, tokens_used) included — equals the live
/// SQL, exactly, per id, in every read mode.
/// Three runs, not the long-keyed five, to keep the suite's time in check.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KeyedDifferentialTests(PostgresServer server, ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, HostShape.GlobalSessionIds, "Guid", HostSources.EntityModel)]
    [InlineData(4, HostShape.TeamScopedIds, "Guid", HostSources.Sql)]
    [InlineData(2, HostShape.GlobalSessionIds, "Int32/Guid/Int64/Guid", HostSources.EntityModel)]
    public async Task EveryTotalEqualsTheLiveQueryAfterEveryOperation(int seed, HostShape shape, string keys, HostSources sources)
    {
        await using var h = await KeyedHarness.CreateAsync(server, DifferentialHistory.Start, HostKeys.Parse(keys), shape, sources, measures: HostWiring.MeasuresByDefault);
        output.WriteLine(await DifferentialHistory.RunAsync(h, seed));
    }
}

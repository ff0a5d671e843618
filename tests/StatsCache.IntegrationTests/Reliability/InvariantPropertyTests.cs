using System.Globalization;
using CsCheck;
using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// Property-based check of the five invariants of docs/guarantees.md (coverage, exactness, compression, idempotence, isolation) over random histories of source inserts,
/// retention purges, clock moves and refresh / compress / backfill calls, against the live SQL
/// (<see cref="HistoryOracle"/>: source ∪ archive of purged rows, since history is kept).
/// CsCheck shrinks a failing history and reports the smallest one it found as a list of steps,
/// plus the same history as played (concrete ids and times). Reproduce with the printed seed
/// (environment variable <c>CsCheck_Seed</c>).
/// </summary>
/// <remarks>
/// Bounded for every build (<see cref="Iterations"/> small histories); <c>STATSCACHE_SOAK=1</c> runs a
/// long soak instead (<c>STATSCACHE_SOAK_ITERATIONS</c>, default 3000, longer histories).
/// </remarks>
[Collection(PostgresCollection.Name)]
public sealed class InvariantPropertyTests(PostgresServer server, ITestOutputHelper output)
{
    private const int Iterations = 120;

    /// <summary>Month ends, the year end and 29 February: where calendar arithmetic goes wrong.</summary>
    private static readonly DateTime[] Starts =
    [
        new(2024, 2, 28, 22, 40, 0, DateTimeKind.Utc),
        new(2023, 12, 31, 21, 10, 0, DateTimeKind.Utc),
        new(2024, 3, 31, 23, 30, 0, DateTimeKind.Utc),
        new(2024, 5, 14, 10, 0, 0, DateTimeKind.Utc),
    ];

    private static readonly TimeSpan[] LookBacks = [TimeSpan.FromMinutes(15), TimeSpan.Zero, TimeSpan.FromHours(2)];

    private static bool Soak => Environment.GetEnvironmentVariable("STATSCACHE_SOAK") == "1";

    public static Gen<HistoryStep> Step { get; } = Gen.Frequency(
        (4, Gen.Frequency(
            (5, Gen.Int[1, 90]),
            (4, Gen.Int[1, 30].Select(h => h * 60)),
            (1, Gen.Int[1, 12].Select(d => d * 1440))).Select(m => (HistoryStep)new Tick(m))),
        (5, Gen.Select(Gen.Int[1, 2], Gen.Int[1, 2], Gen.Int[0, 3], Gen.Int[0, 999], Gen.Int[0, 4], Gen.Int[0, 4], (t, e, p, at, h, v) => (HistoryStep)new NewSession(t, e, p, at, h, v))),
        (2, Gen.Select(Gen.Int[0, 20], Gen.Int[0, 999], Gen.Int[0, 3], Gen.Int[0, 4], (s, at, h, v) => (HistoryStep)new MoreMessages(s, at, h, v))),
        (1, Gen.Select(Gen.Int[0, 20], Gen.Int[0, 999], (s, at) => (HistoryStep)new MessageBeforeStart(s, at))),
        (1, Gen.Int[0, 20].Select(s => (HistoryStep)new Purge(s))),
        (1, Gen.Select(Gen.Int[1, 2], Gen.Int[1, 2], Gen.Int[0, 3], Gen.Int[0, 40], Gen.Int[0, 2], (t, e, p, d, h) => (HistoryStep)new LateSession(t, e, p, d, h))),
        (4, Gen.Const((HistoryStep)new Refresh())),
        (3, Gen.Const((HistoryStep)new Compress())),
        (1, Gen.Const((HistoryStep)new BackfillAll())),
        (1, Gen.Select(Gen.Int[1, 15], Gen.Int[0, 60], (m, d) => (HistoryStep)new BackfillSome(m, d))));

    public static Gen<History> Histories(int maxSteps) => Gen.Select(
        Gen.Int[0, Starts.Length - 1],
        Gen.Int[0, LookBacks.Length - 1],
        Step.Array[1, maxSteps],
        (s, l, steps) => new History(Starts[s], LookBacks[l], steps));

    [Fact]
    public Task RandomHistoriesKeepEveryInvariantAgainstTheLiveQuery() => KeepHistoryAsync(HostShape.GlobalSessionIds, Iterations);

    /// <summary>
    /// The same histories on a host whose ids are unique only within a team: both teams number their
    /// sessions from the same start and share experiment and participant ids.
    /// </summary>
    [Fact]
    public Task RandomHistoriesWithIdsSharedAcrossTeamsKeepEveryInvariant() => KeepHistoryAsync(HostShape.TeamScopedIds, Iterations / 2);

    private Task KeepHistoryAsync(HostShape shape, int defaultIterations) =>
        SampleAsync(server, output, shape, DeletionSemantics.KeepHistory, defaultIterations);

    /// <summary>
    /// Plays <paramref name="defaultIterations"/> random histories (a soak: <c>STATSCACHE_SOAK_ITERATIONS</c>)
    /// on one fresh database of the given shape and key types, one at a time, with the oracle of
    /// <paramref name="semantics"/>. A long-keyed host is <see cref="CacheHarness"/>'s; other key types
    /// are <see cref="Keys.KeyedHarness"/>'s, with sources from the EF model or raw SQL. The host declares its measures
    /// (bot messages, tokens used) unless <paramref name="measures"/> says not (default <see cref="HostWiring.MeasuresByDefault"/>).
    /// </summary>
    internal static async Task SampleAsync(PostgresServer server, ITestOutputHelper output, HostShape shape, DeletionSemantics semantics, int defaultIterations, HostKeys? keys = null, HostSources sources = HostSources.EntityModel, bool? measures = null)
    {
        keys ??= HostKeys.Int64;
        var withMeasures = measures ?? HostWiring.MeasuresByDefault;
        IAsyncDisposable h;
        NpgsqlDataSource db;
        string connectionString;
        if (keys.IsInt64 && sources == HostSources.EntityModel)
        {
            var harness = await CacheHarness.CreateAsync(server, Starts[0], shape: shape);
            (h, db, connectionString) = (harness, harness.Db, harness.ConnectionString);
        }
        else
        {
            var harness = await Keys.KeyedHarness.CreateAsync(server, Starts[0], keys, shape, sources);
            (h, db, connectionString) = (harness, harness.Db, harness.ConnectionString);
        }

        await using var _ = h;
        var oracle = new HistoryOracle(db, semantics, shape, keys, withMeasures);
        await oracle.EnsureArchiveAsync();
        var runner = new HistoryRunner(connectionString, db, oracle, sources);
        var iterations = Soak
            ? long.Parse(Environment.GetEnvironmentVariable("STATSCACHE_SOAK_ITERATIONS") ?? "3000", CultureInfo.InvariantCulture)
            : defaultIterations;
        var started = DateTime.UtcNow;

        await Histories(Soak ? 40 : 20).SampleAsync(
            runner.RunAsync,
            writeLine: output.WriteLine,
            iter: iterations,
            threads: 1, // one database, one history at a time
            print: history => history.ToString());

        output.WriteLine($"{iterations} histories ({keys} keys, {sources}{(withMeasures ? ", with the host's measures" : "")}) in {(DateTime.UtcNow - started).TotalSeconds:0.0} s{(Soak ? " (soak)" : "")}");
    }

    /// <summary>
    /// The same histories with <c>Deletions = Mirror</c> and change tracking: purges remove any
    /// session at any time (privacy erasure), late rows and purges mix, and after every refresh every
    /// total equals the live SQL over the host's tables alone.
    /// </summary>
    [Fact]
    public Task RandomHistoriesWithErasuresAreExactAfterEveryRefreshWhenMirroredAndTracked() => MirroredAsync(HostShape.GlobalSessionIds, Iterations / 2);

    /// <summary>Mirrored and tracked histories on a host whose ids are unique only within a team.</summary>
    [Fact]
    public Task RandomHistoriesWithIdsSharedAcrossTeamsAreExactWhenMirroredAndTracked() => MirroredAsync(HostShape.TeamScopedIds, Iterations / 4);

    private Task MirroredAsync(HostShape shape, int defaultIterations) =>
        SampleAsync(server, output, shape, DeletionSemantics.Mirror, defaultIterations);
}

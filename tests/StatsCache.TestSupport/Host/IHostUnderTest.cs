using StatsCache.Reads;

namespace StatsCache.TestSupport.Host;

/// <summary>
/// A host with the cache wired in, as a test drives it: the integration tests' harness on plain
/// PostgreSQL and the Citus tests' on a distributed cluster. What the shared checks
/// (<see cref="ExactTotals"/>) and the random histories (<see cref="Histories.DifferentialHistory"/>) need.
/// </summary>
public interface IHostUnderTest
{
    /// <summary>How the host keys its rows.</summary>
    HostShape Shape { get; }

    /// <summary>The host's key types (the harness's ids are <c>long</c>s, mapped to these at the boundary).</summary>
    HostKeys Keys => HostKeys.Int64;

    /// <summary>
    /// The long-keyed cache. A host of other key types has none: resolving it throws, naming the
    /// cache's types; the shared checks and histories go through <see cref="Statistics"/>.
    /// </summary>
    IStatisticsCache Cache { get; }

    /// <summary>The cache as the shared checks and histories drive it, in the harness's ids whatever the host's key types.</summary>
    IHostCache Statistics => HostCache.Of(Cache);

    /// <summary>The host's own writes.</summary>
    HostData Data { get; }

    /// <summary>The live oracle over the host's tables.</summary>
    LiveStatistics Live { get; }

    /// <summary>The fake clock's now (UTC).</summary>
    DateTime Now { get; }

    /// <summary>Moves the fake clock forward.</summary>
    void Advance(TimeSpan by);
}

/// <summary>The exactness check every harness shares: cached totals equal the live SQL.</summary>
public static class ExactTotals
{
    /// <summary>
    /// Asserts every experiment and session total of a team equals the live SQL, exactly: the built-in statistics and,
    /// where the host declares them (<see cref="LiveStatistics.Measures"/>), every measure of every experiment and session
    /// (the <c>Measures</c> dictionaries compared entry by entry, so a missing or extra measure fails too).
    /// </summary>
    public static async Task AssertExactAsync(IHostUnderTest h, long team, string because = "", ReadMode mode = ReadMode.Cached)
    {
        var before = h.Now;
        var liveExperiments = await h.Live.ExperimentsAsync(team, before);
        var cachedExperiments = await h.Statistics.GetExperimentTotalsAsync(team, liveExperiments.Keys, mode);
        cachedExperiments.Should().BeEquivalentTo(liveExperiments, "{2} experiment totals of team {0} must equal the live query {1}", team, because, mode);

        var liveSessions = await h.Live.SessionsAsync(team, before);
        var cachedSessions = await h.Statistics.GetSessionTotalsAsync(team, liveSessions.Keys, mode);
        cachedSessions.Should().BeEquivalentTo(liveSessions, "{2} session totals of team {0} must equal the live query {1}", team, because, mode);
    }
}

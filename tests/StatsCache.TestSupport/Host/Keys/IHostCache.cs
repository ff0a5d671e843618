using Microsoft.Extensions.DependencyInjection;

namespace StatsCache.TestSupport.Host;

/// <summary>
/// The cache as the harness drives it, in the harness's <c>long</c> ids whatever the host's key types:
/// every read and every maintenance call with ids goes through here, so the mapping to the host's
/// types (<see cref="HostKeys"/>) and the shape of the library's typed surface live in one place.
/// Results come back keyed by the harness's ids, to compare per id with the live SQL.
/// </summary>
public interface IHostCache
{
    /// <summary>The host's key types.</summary>
    HostKeys Keys { get; }

    Task<RefreshResult> RefreshAsync();

    Task<CompressResult> CompressAsync();

    /// <summary>A backfill of everything (no argument), or from <paramref name="from"/> and/or of some experiments only.</summary>
    Task<BackfillResult> BackfillAsync(DateTime? from = null, IReadOnlyCollection<long>? experimentIds = null);

    Task<CacheStatus> GetStatusAsync(int recentRuns = 20);

    Task EnableChangeTrackingAsync();

    /// <summary>The cache's own DDL (a host whose cache's tables are not in its EF model).</summary>
    Task EnsureTablesCreatedAsync();

    /// <summary>Totals of the experiments of <paramref name="team"/>; <paramref name="mode"/> null reads in the cache's default mode.</summary>
    Task<Dictionary<long, ExperimentStats>> GetExperimentTotalsAsync(long team, IEnumerable<long> experimentIds, ReadMode? mode = null);

    /// <summary>Totals of the sessions of <paramref name="team"/>; <paramref name="mode"/> null reads in the cache's default mode.</summary>
    Task<Dictionary<long, SessionStats>> GetSessionTotalsAsync(long team, IEnumerable<long> sessionIds, ReadMode? mode = null);

    Task<IReadOnlyList<BucketStats>> GetExperimentBucketsAsync(long team, long experiment);
}

/// <summary>Resolves the cache of a host with the given key types as an <see cref="IHostCache"/>.</summary>
public static class HostCache
{
    /// <summary>The registered (default) cache of <paramref name="services"/>, read with the types of <paramref name="keys"/>.</summary>
    public static IHostCache Resolve(IServiceProvider services, HostKeys keys) =>
        new LongHostCache(services.GetRequiredService<IStatisticsCache>(), keys);

    /// <summary>A long-keyed cache.</summary>
    public static IHostCache Of(IStatisticsCache cache) => new LongHostCache(cache, HostKeys.Int64);

    /// <summary>
    /// Today's surface reads every kind in <c>long</c> (an integer host's ids widen to it), so the
    /// harness's ids pass as they are; only the host's tables hold the host's types.
    /// </summary>
    private sealed class LongHostCache(IStatisticsCache cache, HostKeys keys) : IHostCache
    {
        public HostKeys Keys => keys;

        public Task<RefreshResult> RefreshAsync() => cache.RefreshAsync();

        public Task<CompressResult> CompressAsync() => cache.CompressAsync();

        public Task<BackfillResult> BackfillAsync(DateTime? from = null, IReadOnlyCollection<long>? experimentIds = null) =>
            from is null && experimentIds is null
                ? cache.BackfillAsync()
                : cache.BackfillAsync(new BackfillRequest { From = from, ExperimentIds = experimentIds });

        public Task<CacheStatus> GetStatusAsync(int recentRuns = 20) => cache.GetStatusAsync(recentRuns);

        public Task EnableChangeTrackingAsync() => cache.EnableChangeTrackingAsync();

        public Task EnsureTablesCreatedAsync() => cache.EnsureTablesCreatedAsync();

        public async Task<Dictionary<long, ExperimentStats>> GetExperimentTotalsAsync(long team, IEnumerable<long> experimentIds, ReadMode? mode = null)
        {
            var totals = mode is { } m
                ? await cache.GetExperimentTotalsAsync(team, experimentIds, m)
                : await cache.GetExperimentTotalsAsync(team, experimentIds);
            return totals.ToDictionary();
        }

        public async Task<Dictionary<long, SessionStats>> GetSessionTotalsAsync(long team, IEnumerable<long> sessionIds, ReadMode? mode = null)
        {
            var totals = mode is { } m
                ? await cache.GetSessionTotalsAsync(team, sessionIds, m)
                : await cache.GetSessionTotalsAsync(team, sessionIds);
            return totals.ToDictionary();
        }

        public Task<IReadOnlyList<BucketStats>> GetExperimentBucketsAsync(long team, long experiment) => cache.GetExperimentBucketsAsync(team, experiment);
    }
}

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
    /// <summary>
    /// The registered (default) cache of <paramref name="services"/>, resolved as
    /// <c>IStatisticsCache&lt;TTeamId, TExperimentId, TSessionId&gt;</c> with the types of <paramref name="keys"/>
    /// (the typed face; the long-keyed one is <see cref="IStatisticsCache"/>'s own).
    /// </summary>
    public static IHostCache Resolve(IServiceProvider services, HostKeys keys)
    {
        Type[] types = [keys.Team.ClrType, keys.Experiment.ClrType, keys.Session.ClrType];
        var cache = services.GetRequiredService(typeof(IStatisticsCache<,,>).MakeGenericType(types));
        return (IHostCache)Activator.CreateInstance(typeof(TypedHostCache<,,>).MakeGenericType(types), cache, keys)!;
    }

    /// <summary>A long-keyed cache.</summary>
    public static IHostCache Of(IStatisticsCache cache) => new TypedHostCache<long, long, long>(cache, HostKeys.Int64);

    /// <summary>
    /// The typed face of the cache with the host's key types: ids go in encoded by the host's codecs and
    /// results come back keyed by the harness's ids (decoded, so an id the harness never wrote fails loudly).
    /// </summary>
    private sealed class TypedHostCache<TTeamId, TExperimentId, TSessionId>(IStatisticsCache<TTeamId, TExperimentId, TSessionId> cache, HostKeys keys) : IHostCache
        where TTeamId : struct
        where TExperimentId : struct
        where TSessionId : struct
    {
        private readonly KeyCodec<TTeamId> _team = (KeyCodec<TTeamId>)keys.Team;
        private readonly KeyCodec<TExperimentId> _experiment = (KeyCodec<TExperimentId>)keys.Experiment;
        private readonly KeyCodec<TSessionId> _session = (KeyCodec<TSessionId>)keys.Session;

        public HostKeys Keys => keys;

        public Task<RefreshResult> RefreshAsync() => cache.RefreshAsync();

        public Task<CompressResult> CompressAsync() => cache.CompressAsync();

        public Task<BackfillResult> BackfillAsync(DateTime? from = null, IReadOnlyCollection<long>? experimentIds = null) =>
            from is null && experimentIds is null
                ? cache.BackfillAsync()
                : cache.BackfillAsync(new BackfillRequest<TExperimentId> { From = from, ExperimentIds = experimentIds?.Select(_experiment.Encode).ToList() });

        public Task<CacheStatus> GetStatusAsync(int recentRuns = 20) => cache.GetStatusAsync(recentRuns);

        public Task EnableChangeTrackingAsync() => cache.EnableChangeTrackingAsync();

        public Task EnsureTablesCreatedAsync() => cache.EnsureTablesCreatedAsync();

        public async Task<Dictionary<long, ExperimentStats>> GetExperimentTotalsAsync(long team, IEnumerable<long> experimentIds, ReadMode? mode = null)
        {
            var ids = experimentIds.Select(_experiment.Encode).ToList();
            var totals = mode is { } m
                ? await cache.GetExperimentTotalsAsync(_team.Encode(team), ids, m)
                : await cache.GetExperimentTotalsAsync(_team.Encode(team), ids);
            return totals.ToDictionary(kv => _experiment.Decode(kv.Key), kv => kv.Value);
        }

        public async Task<Dictionary<long, SessionStats>> GetSessionTotalsAsync(long team, IEnumerable<long> sessionIds, ReadMode? mode = null)
        {
            var ids = sessionIds.Select(_session.Encode).ToList();
            var totals = mode is { } m
                ? await cache.GetSessionTotalsAsync(_team.Encode(team), ids, m)
                : await cache.GetSessionTotalsAsync(_team.Encode(team), ids);
            return totals.ToDictionary(kv => _session.Decode(kv.Key), kv => kv.Value);
        }

        public Task<IReadOnlyList<BucketStats>> GetExperimentBucketsAsync(long team, long experiment) =>
            cache.GetExperimentBucketsAsync(_team.Encode(team), _experiment.Encode(experiment));
    }
}

using StatsCache.Policy;

namespace StatsCache;

/// <summary>
/// The typed face of one cache: every call goes to its <see cref="StatisticsCacheEngine"/> with the host's id types.
/// Built only when the type arguments are the cache's key types, so a host can never read Guid ids as longs.
/// </summary>
internal class StatisticsCache<TTeamId, TExperimentId, TSessionId> : IStatisticsCache<TTeamId, TExperimentId, TSessionId>
    where TTeamId : notnull
    where TExperimentId : notnull
    where TSessionId : notnull
{
    private readonly StatisticsCacheEngine _engine;

    public StatisticsCache(StatisticsCacheEngine engine)
    {
        var keys = engine.Keys;
        var wrong = new[]
            {
                ("team", typeof(TTeamId), keys.Team),
                ("experiment", typeof(TExperimentId), keys.Experiment),
                ("session", typeof(TSessionId), keys.Session),
            }
            .Where(k => k.Item2 != CacheKeys.ClrType(k.Item3))
            .Select(k => $"its {k.Item1} ids are {Name(CacheKeys.ClrType(k.Item3))}, not {Name(k.Item2)}")
            .ToList();
        if (wrong.Count > 0)
        {
            throw new InvalidOperationException(
                $"StatsCache: cache '{engine.CacheName}' cannot be read as IStatisticsCache<{Name(typeof(TTeamId))}, {Name(typeof(TExperimentId))}, {Name(typeof(TSessionId))}>: " +
                $"{string.Join("; ", wrong)} (StatisticsCacheOptions.Keys, or the host's EF model). Resolve " +
                $"IStatisticsCache<{Name(CacheKeys.ClrType(keys.Team))}, {Name(CacheKeys.ClrType(keys.Experiment))}, {Name(CacheKeys.ClrType(keys.Session))}> instead" +
                (keys.Team == KeyType.Int64 && keys.Experiment == KeyType.Int64 && keys.Session == KeyType.Int64 ? " (or IStatisticsCache)." : "."));
        }

        _engine = engine;
    }

#pragma warning disable RS0026 // mirrors the interface's overloads
    public Task<IReadOnlyDictionary<TExperimentId, ExperimentStats>> GetExperimentTotalsAsync(TTeamId teamId, IEnumerable<TExperimentId>? experimentIds, CancellationToken cancellationToken = default) =>
        _engine.ExperimentTotalsAsync(teamId, experimentIds, mode: null, cancellationToken);

    public Task<IReadOnlyDictionary<TExperimentId, ExperimentStats>> GetExperimentTotalsAsync(TTeamId teamId, IEnumerable<TExperimentId>? experimentIds, ReadMode mode, CancellationToken cancellationToken = default) =>
        _engine.ExperimentTotalsAsync(teamId, experimentIds, mode, cancellationToken);

    public Task<IReadOnlyDictionary<TSessionId, SessionStats>> GetSessionTotalsAsync(TTeamId teamId, IEnumerable<TSessionId>? sessionIds, CancellationToken cancellationToken = default) =>
        _engine.SessionTotalsAsync(teamId, sessionIds, mode: null, cancellationToken);

    public Task<IReadOnlyDictionary<TSessionId, SessionStats>> GetSessionTotalsAsync(TTeamId teamId, IEnumerable<TSessionId>? sessionIds, ReadMode mode, CancellationToken cancellationToken = default) =>
        _engine.SessionTotalsAsync(teamId, sessionIds, mode, cancellationToken);
#pragma warning restore RS0026

    public Task<IReadOnlyDictionary<TExperimentId, IReadOnlyList<SeriesPoint>>> GetExperimentSeriesAsync(TTeamId teamId, IEnumerable<TExperimentId>? experimentIds, SeriesRequest request, CancellationToken cancellationToken = default) =>
        _engine.ExperimentSeriesAsync(teamId, experimentIds, request, cancellationToken);

    public Task<IReadOnlyList<SeriesPoint>> GetSessionSeriesAsync(TTeamId teamId, TSessionId sessionId, SeriesRequest request, CancellationToken cancellationToken = default) =>
        _engine.SessionSeriesAsync(teamId, sessionId, request, cancellationToken);

    public Task<RefreshResult> RefreshAsync(CancellationToken cancellationToken = default) => _engine.RefreshAsync(cancellationToken);

    public Task<CompressResult> CompressAsync(CancellationToken cancellationToken = default) => _engine.CompressAsync(cancellationToken);

    public Task<BackfillResult> BackfillAsync(BackfillRequest<TExperimentId>? request = null, IProgress<BackfillProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _engine.BackfillAsync(request, progress, cancellationToken);

    public Task<ReconcileResult<TTeamId, TExperimentId>> ReconcileAsync(ReconcileRequest<TExperimentId> request, CancellationToken cancellationToken = default) =>
        _engine.ReconcileAsync<TTeamId, TExperimentId>(request, cancellationToken);

    public Task EnableChangeTrackingAsync(CancellationToken cancellationToken = default) => _engine.EnableChangeTrackingAsync(cancellationToken);

    public Task DisableChangeTrackingAsync(CancellationToken cancellationToken = default) => _engine.DisableChangeTrackingAsync(cancellationToken);

    public string GetChangeTrackingScript() => _engine.GetChangeTrackingScript();

    public Task<IReadOnlyList<BucketStats>> GetExperimentBucketsAsync(TTeamId teamId, TExperimentId experimentId, CancellationToken cancellationToken = default) =>
        _engine.ExperimentBucketsAsync(teamId, experimentId, cancellationToken);

    public Task<CacheStatus> GetStatusAsync(int recentRuns = 20, CancellationToken cancellationToken = default) => _engine.GetStatusAsync(recentRuns, cancellationToken);

    public Task<VerifyResult<TTeamId, TExperimentId>> VerifyAsync(VerifyRequest? request = null, CancellationToken cancellationToken = default) =>
        _engine.VerifyAsync<TTeamId, TExperimentId>(request, cancellationToken);

    public string GetCreateTablesScript() => _engine.GetCreateTablesScript();

    public Task EnsureTablesCreatedAsync(CancellationToken cancellationToken = default) => _engine.EnsureTablesCreatedAsync(cancellationToken);

    private static string Name(Type type) =>
        type == typeof(long) ? "long" : type == typeof(int) ? "int" : type.Name;
}

/// <summary>The face of a cache with <c>long</c> ids: the non-generic <see cref="IStatisticsCache"/>.</summary>
internal sealed class StatisticsCache(StatisticsCacheEngine engine) : StatisticsCache<long, long, long>(engine), IStatisticsCache;

using StatsCache.Policy;

namespace StatsCache.SampleHost;

/// <summary>One look at the cache's state, for the admin page's "over time" charts.</summary>
public sealed record StatusSample(DateTime At, IReadOnlyDictionary<BucketSize, long> BucketCounts, long SessionRows, TimeSpan? WatermarkLag);

/// <summary>
/// The cache's bucket counts over time: the library reports only the current counts, so the sample
/// keeps the last few hours of them in memory (a sample a minute, and one per admin page view).
/// </summary>
public sealed class StatusHistory
{
    private const int Capacity = 360;
    private readonly Lock _gate = new();
    private readonly Queue<StatusSample> _samples = new();

    public void Add(StatusSample sample)
    {
        lock (_gate)
        {
            _samples.Enqueue(sample);
            while (_samples.Count > Capacity)
            {
                _samples.Dequeue();
            }
        }
    }

    public IReadOnlyList<StatusSample> Samples
    {
        get
        {
            lock (_gate)
            {
                return [.. _samples];
            }
        }
    }
}

/// <summary>Adds a <see cref="StatusSample"/> to the <see cref="StatusHistory"/> every minute.</summary>
internal sealed partial class StatusSampler(IServiceScopeFactory scopes, StatusHistory history, TimeProvider time, ILogger<StatusSampler> logger) : BackgroundService
{
    public static async Task SampleAsync(IStatisticsCache cache, StatusHistory history, TimeProvider time, CancellationToken cancellationToken)
    {
        var status = await cache.GetStatusAsync(0, cancellationToken);
        history.Add(new StatusSample(time.GetUtcNow().UtcDateTime, status.BucketCounts, status.SessionRows, status.WatermarkLag));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        try
        {
            do
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await SampleAsync(scope.ServiceProvider.GetRequiredService<IStatisticsCache>(), history, time, stoppingToken);
                }
                catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
                {
                    LogFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(9003, LogLevel.Debug, "Could not read the cache's status for the admin page's history")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}


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

/// <summary>
/// Adds a <see cref="StatusSample"/> to the <see cref="StatusHistory"/> every minute, and writes one log
/// line per maintenance result (the library logs routine runs at Debug; the sample's console shows each
/// refresh, compress and verify once, with readable times), read from the cache's recent runs every 10 s.
/// </summary>
internal sealed partial class StatusSampler(IServiceScopeFactory scopes, StatusHistory history, TimeProvider time, ILogger<StatusSampler> logger) : BackgroundService
{
    private DateTime? _lastLogged;

    public static async Task SampleAsync(IStatisticsCache cache, StatusHistory history, TimeProvider time, CancellationToken cancellationToken)
    {
        var status = await cache.GetStatusAsync(0, cancellationToken);
        history.Add(new StatusSample(time.GetUtcNow().UtcDateTime, status.BucketCounts, status.SessionRows, status.WatermarkLag));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10), time);
        var tick = 0;
        try
        {
            do
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var cache = scope.ServiceProvider.GetRequiredService<IStatisticsCache>();
                    var status = await cache.GetStatusAsync(20, stoppingToken);
                    if (tick++ % 6 == 0)
                    {
                        history.Add(new StatusSample(time.GetUtcNow().UtcDateTime, status.BucketCounts, status.SessionRows, status.WatermarkLag));
                    }

                    LogNewRuns(status.RecentRuns);
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

    private void LogNewRuns(IReadOnlyList<RunInfo> runs)
    {
        // The first look only notes where the history stands: runs from before this start are not news.
        if (_lastLogged is null)
        {
            _lastLogged = runs.Count == 0 ? DateTime.MinValue : runs[0].StartedAt;
            return;
        }

        foreach (var run in runs.Where(r => r.StartedAt > _lastLogged).OrderBy(r => r.StartedAt))
        {
            if (run.Operation.EndsWith("failed", StringComparison.Ordinal) || run.Operation.EndsWith("drift", StringComparison.Ordinal))
            {
                LogRunProblem(logger, run.Operation, run.RowsWritten, run.Duration.TotalMilliseconds, Pages.Html.Readable(run.Detail));
            }
            else
            {
                LogRun(logger, run.Operation, run.RowsWritten, run.Duration.TotalMilliseconds, Pages.Html.Readable(run.Detail));
            }

            _lastLogged = run.StartedAt;
        }
    }

    [LoggerMessage(9003, LogLevel.Debug, "Could not read the cache's status for the admin page's history")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(9004, LogLevel.Information, "StatsCache {Operation}: {Rows} rows in {ElapsedMs:F0} ms; {Detail}")]
    private static partial void LogRun(ILogger logger, string operation, long rows, double elapsedMs, string detail);

    [LoggerMessage(9005, LogLevel.Warning, "StatsCache {Operation}: {Rows} rows in {ElapsedMs:F0} ms; {Detail}")]
    private static partial void LogRunProblem(ILogger logger, string operation, long rows, double elapsedMs, string detail);
}

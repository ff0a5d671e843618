namespace StatsCache.SampleHost;

/// <summary>
/// Schedules the cache's maintenance the way a host with nothing fancier would: a refresh every
/// couple of minutes (<c>Sample:RefreshInterval</c>, default 2 min) and a compression every hour
/// (<c>Sample:CompressInterval</c>). The first refresh builds the cache (a full backfill).
/// A failed run is logged and the next tick tries again. Several instances may run this at once:
/// the library serialises maintenance, and a run that finds it busy reports Skipped.
/// </summary>
public sealed partial class StatisticsMaintenanceService(IStatisticsCache cache, IConfiguration configuration, ILogger<StatisticsMaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var refreshEvery = configuration.GetValue("Sample:RefreshInterval", TimeSpan.FromMinutes(2));
        var compressEvery = configuration.GetValue("Sample:CompressInterval", TimeSpan.FromHours(1));
        LogSchedule(logger, refreshEvery, compressEvery);

        try
        {
            await RefreshAsync(stoppingToken);
            await CompressAsync(stoppingToken);
            await Task.WhenAll(
                EveryAsync(refreshEvery, RefreshAsync, stoppingToken),
                EveryAsync(compressEvery, CompressAsync, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static async Task EveryAsync(TimeSpan period, Func<CancellationToken, Task> run, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await run(stoppingToken);
        }
    }

    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        try
        {
            var result = await cache.RefreshAsync(stoppingToken);
            if (result.Skipped)
            {
                LogSkipped(logger, "Refresh");
            }
            else
            {
                LogRefreshed(logger, result.Initialized ? " (initial build)" : "", result.From, result.To, result.RowsWritten, result.Duration.TotalMilliseconds);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, ex, "Refresh");
        }
    }

    private async Task CompressAsync(CancellationToken stoppingToken)
    {
        try
        {
            var result = await cache.CompressAsync(stoppingToken);
            if (result.Skipped)
            {
                LogSkipped(logger, "Compress");
            }
            else
            {
                LogCompressed(logger, result.BucketsWritten, result.DailyFrom, result.HourlyFrom, result.Duration.TotalMilliseconds);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, ex, "Compress");
        }
    }

    [LoggerMessage(LogLevel.Information, "Statistics maintenance: refresh every {Refresh}, compress every {Compress}")]
    private static partial void LogSchedule(ILogger logger, TimeSpan refresh, TimeSpan compress);

    [LoggerMessage(LogLevel.Information, "Refresh{Initial}: [{From:O}, {To:O}) wrote {Rows} rows in {ElapsedMs:F0} ms")]
    private static partial void LogRefreshed(ILogger logger, string initial, DateTime? from, DateTime to, long rows, double elapsedMs);

    [LoggerMessage(LogLevel.Information, "Compress: wrote {Buckets} buckets; monthly before {DailyFrom:O}, daily before {HourlyFrom:O}; {ElapsedMs:F0} ms")]
    private static partial void LogCompressed(ILogger logger, long buckets, DateTime? dailyFrom, DateTime? hourlyFrom, double elapsedMs);

    [LoggerMessage(LogLevel.Information, "{Operation} skipped: another instance is running maintenance (or the cache is not built yet)")]
    private static partial void LogSkipped(ILogger logger, string operation);

    [LoggerMessage(LogLevel.Error, "{Operation} failed; the next run will try again")]
    private static partial void LogFailed(ILogger logger, Exception exception, string operation);
}

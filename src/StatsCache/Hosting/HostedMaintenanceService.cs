using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StatsCache.Maintenance;

namespace StatsCache.Hosting;

/// <summary>
/// Runs the cache's maintenance on the intervals of <see cref="HostedMaintenanceOptions"/>, from one loop (so runs
/// never overlap), timed by the registered <see cref="TimeProvider"/>. A failed run is logged (and recorded in the
/// run history by the cache itself, which the health check reads) and retried at its next due time; only
/// cancellation on stop ends the loop.
/// </summary>
internal sealed class HostedMaintenanceService : BackgroundService
{
    private readonly IScheduledMaintenance _cache;
    private readonly HostedMaintenanceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<HostedMaintenanceService> _logger;
    private readonly Random _random;

    public HostedMaintenanceService(IScheduledMaintenance cache, IOptions<HostedMaintenanceOptions> options, TimeProvider time, ILogger<HostedMaintenanceService> logger)
        : this(cache, options, time, logger, Random.Shared)
    {
    }

    // random draws the start jitter (a seeded one in tests).
    internal HostedMaintenanceService(IScheduledMaintenance cache, IOptions<HostedMaintenanceOptions> options, TimeProvider time, ILogger<HostedMaintenanceService> logger, Random random)
    {
        _cache = cache;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _random = random;
    }

    /// <summary>A uniformly random delay from zero to <paramref name="max"/>, whole milliseconds.</summary>
    internal static TimeSpan Jitter(TimeSpan max, Random random) =>
        max <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Floor(random.NextDouble() * max.TotalMilliseconds));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var verifyEvery = _options.VerifyInterval is { } v && v > TimeSpan.Zero ? v : (TimeSpan?)null;
        var jitter = Jitter(_options.StartJitter, _random);
        HostingLog.Started(_logger, _options.RefreshInterval, _options.CompressInterval, verifyEvery?.ToString() ?? "(disabled)", jitter);
        try
        {
            var start = _time.GetUtcNow() + jitter;
            await WaitUntilAsync(start, stoppingToken).ConfigureAwait(false);

            var nextRefresh = start;
            var nextCompress = start;
            var nextVerify = verifyEvery is { } every ? start + every : DateTimeOffset.MaxValue;
            while (true)
            {
                if (_time.GetUtcNow() >= nextRefresh)
                {
                    nextRefresh = await RunAsync(Refresher.Operation, _options.RefreshInterval, ct => _cache.RefreshAsync(ct), stoppingToken).ConfigureAwait(false);
                }

                if (_time.GetUtcNow() >= nextCompress)
                {
                    nextCompress = await RunAsync(Compressor.Operation, _options.CompressInterval, ct => _cache.CompressAsync(ct), stoppingToken).ConfigureAwait(false);
                }

                if (verifyEvery is { } verifyInterval && _time.GetUtcNow() >= nextVerify)
                {
                    nextVerify = await RunAsync(Verifier.Operation, verifyInterval, ct => _cache.VerifyAsync(VerifyRequest.LastDay(), ct), stoppingToken).ConfigureAwait(false);
                }

                var due = Min(Min(nextRefresh, nextCompress), nextVerify);
                await WaitUntilAsync(due, stoppingToken).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // whatever a run cancelled by the stop throws (an OperationCanceledException, or a provider's error) ends the loop quietly
        catch (Exception) when (stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            // Stopping.
        }

        HostingLog.Stopped(_logger);
    }

    /// <summary>Runs one operation; returns when it is due next (its start plus its interval).</summary>
    private async Task<DateTimeOffset> RunAsync(string operation, TimeSpan interval, Func<CancellationToken, Task> run, CancellationToken stoppingToken)
    {
        var next = _time.GetUtcNow() + interval;
        try
        {
            await run(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Never crash the host: the error is logged here and recorded in the run history (the health
            // check reports it); the next run tries again.
            HostingLog.RunFailed(_logger, e, operation, next);
        }

        return next;
    }

    /// <summary>
    /// Waits on the <see cref="TimeProvider"/> until <paramref name="due"/>. The timer is created before the
    /// wait is logged, so whoever sees the log line (a test advancing a fake clock) finds the timer armed.
    /// </summary>
    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken stoppingToken)
    {
        var wait = due - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            stoppingToken.ThrowIfCancellationRequested();
            return;
        }

        var delay = Task.Delay(wait, _time, stoppingToken);
        HostingLog.Waiting(_logger, due);
        await delay.ConfigureAwait(false);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;
}

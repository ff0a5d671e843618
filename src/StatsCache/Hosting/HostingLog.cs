using Microsoft.Extensions.Logging;

namespace StatsCache.Hosting;

/// <summary>Log messages of the hosted maintenance service (event ids 220–239).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(220, LogLevel.Information, "StatsCache hosted maintenance started: refresh every {Refresh}, compress every {Compress}, verify every {Verify}; first run in {FirstRunIn}")]
    public static partial void Started(ILogger logger, TimeSpan refresh, TimeSpan compress, string verify, TimeSpan firstRunIn);

    // Debug: the failure itself is logged once, at Error with the exception, by the cache (event 162).
    [LoggerMessage(221, LogLevel.Debug, "StatsCache hosted {Operation} failed; it runs again at {Next:O}")]
    public static partial void RunFailed(ILogger logger, Exception exception, string operation, DateTimeOffset next);

    [LoggerMessage(222, LogLevel.Debug, "StatsCache hosted maintenance waits until {Due:O}")]
    public static partial void Waiting(ILogger logger, DateTimeOffset due);

    [LoggerMessage(223, LogLevel.Information, "StatsCache hosted maintenance stopped")]
    public static partial void Stopped(ILogger logger);
}

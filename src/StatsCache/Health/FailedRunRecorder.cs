using Microsoft.Extensions.Logging;
using StatsCache.Internal;
using StatsCache.Maintenance;
using StatsCache.Storage;

namespace StatsCache.Health;

/// <summary>
/// Records a maintenance call that failed in the run history, as "<c>operation failed</c>" with the
/// error, so the health check can say that the job is failing and why — before the watermark's lag
/// would. Best effort: if even that write fails (the database is gone, the run table is missing),
/// the original error is what the caller sees, and the health check reports what it can read.
/// </summary>
internal sealed class FailedRunRecorder(CacheEnvironment env, TimeProvider time, ILogger<FailedRunRecorder> logger)
{
    /// <summary>The suffix of a failed run's operation (the column holds 16 characters: "reconcile failed" fits).</summary>
    public const string FailedSuffix = " failed";

    /// <summary>Runs <paramref name="operation"/> and records its failure; cancellation is not a failure.</summary>
    public async Task<T> RunAsync<T>(string name, Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not ArgumentException)
        {
            await RecordAsync(name, e).ConfigureAwait(false);
            throw;
        }
    }

    private async Task RecordAsync(string name, Exception error)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var message = error.Message.Length > 2000 ? error.Message[..2000] : error.Message;
        Log.MaintenanceFailed(logger, error, name, message);
        try
        {
            await using var connection = await env.DataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await StateStore.ExecuteAsync(connection, null, CommandTimeouts.Seconds(env.Options), CancellationToken.None, StateStore.RecordRun(env.Sql, env.Options.CacheName, name + FailedSuffix, now, TimeSpan.Zero, 0, message)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // best effort: the caller gets the original error
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.FailedRunNotRecorded(logger, name, e.Message);
        }
    }
}

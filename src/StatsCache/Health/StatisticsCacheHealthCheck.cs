using Microsoft.Extensions.Diagnostics.HealthChecks;
using StatsCache.Internal;
using StatsCache.Maintenance;

namespace StatsCache.Health;

/// <summary>
/// Health of the cache's maintenance, from its state row alone (one keyed read, cheap enough for a
/// probe every few seconds). It judges the watermark's lag, which every refresh moves to "now" even
/// when no new data arrived: a quiet platform stays healthy, a dead refresh job does not.
/// </summary>
internal sealed class StatisticsCacheHealthCheck(CacheEnvironment env, TimeProvider time, TimeSpan degradedAfter, TimeSpan unhealthyAfter) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var state = await StateStore.ReadAsync(connection, env.Sql, env.Options.CacheName, cancellationToken).ConfigureAwait(false);
            if (state?.Watermark is not { } watermark)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "The cache was never built: no refresh or backfill has completed yet.");
            }

            // Maintenance never moves the watermark past the database's clock (MaintenanceClock); a watermark
            // ahead of it was moved by an instance whose clock ran ahead, and rows stamped below it are skipped.
            var databaseNow = await MaintenanceClock.DatabaseNowAsync(connection, connection.CommandTimeout, cancellationToken).ConfigureAwait(false);
            if (watermark > databaseNow)
            {
                return new HealthCheckResult(
                    context.Registration.FailureStatus,
                    $"The watermark {watermark:O} is {(watermark - databaseNow).TotalMinutes:0.#} min ahead of the database's clock ({databaseNow:O}): an instance whose clock ran ahead moved it, and rows committed below it are not counted. Fix that instance's clock; once the database's clock has passed the watermark, reconcile the range since the skew began.",
                    data: new Dictionary<string, object> { ["watermark"] = watermark, ["databaseNow"] = databaseNow });
            }

            var lag = time.GetUtcNow().UtcDateTime - watermark;
            var data = new Dictionary<string, object> { ["watermark"] = watermark, ["lagSeconds"] = Math.Round(lag.TotalSeconds) };
            var description = $"Last refresh reached {watermark:O}, {lag.TotalMinutes:0.#} min ago.";
            if (lag > unhealthyAfter)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, description + $" No refresh for more than {unhealthyAfter.TotalMinutes:0.#} min: is the refresh job running?", data: data);
            }

            return lag > degradedAfter
                ? HealthCheckResult.Degraded(description + $" Behind by more than {degradedAfter.TotalMinutes:0.#} min.", data: data)
                : HealthCheckResult.Healthy(description, data);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Cannot read the cache's state: " + e.Message, e);
        }
    }
}

using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using NpgsqlTypes;
using StatsCache.Internal;
using StatsCache.Maintenance;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Health;

/// <summary>
/// Health of the cache's maintenance, cheap enough for a probe every few seconds: catalog lookups
/// for our tables, the state row, and the latest run of each operation. It judges the watermark's
/// lag, which every refresh moves to "now" even when no new data arrived (a quiet platform stays
/// healthy, a dead refresh job does not), and it reports what would otherwise be silently wrong: a
/// missing or emptied cache table, a maintenance run that failed (with its error), and drift a
/// verify found and did not repair.
/// </summary>
internal sealed class StatisticsCacheHealthCheck(CacheEnvironment env, TimeProvider time, TimeSpan degradedAfter, TimeSpan unhealthyAfter) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context.Registration.FailureStatus;
        try
        {
            var sql = env.Sql;
            await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var missing = await MissingTablesAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            if (missing.Count > 0)
            {
                return new HealthCheckResult(
                    failure,
                    $"StatsCache tables missing: {string.Join(", ", missing)}. Reads and maintenance fail until they exist: apply modelBuilder.UseStatisticsCache() and its migration (or check StatisticsCacheOptions.Schema), then rebuild with BackfillAsync().",
                    data: new Dictionary<string, object> { ["missingTables"] = missing.ToArray() });
            }

            var state = await StateStore.ReadAsync(connection, sql, env.Options.CacheName, cancellationToken).ConfigureAwait(false);
            var runs = await LatestRunsAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            var failed = runs.Where(r => r.Operation.EndsWith(FailedRunRecorder.FailedSuffix, StringComparison.Ordinal)).OrderByDescending(r => r.StartedAt).ToList();
            var data = new Dictionary<string, object>();
            foreach (var run in failed)
            {
                data[$"{run.Family}Failed"] = run.StartedAt;
                data[$"{run.Family}Error"] = run.Detail ?? "";
            }

            var failures = string.Concat(failed.Select(r => $" The last {r.Family} failed at {r.StartedAt:O}: {r.Detail}"));
            if (state?.Watermark is not { } watermark)
            {
                return new HealthCheckResult(failure, "The cache was never built: no refresh or backfill has completed yet." + failures, data: data);
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

            // Lag against the earlier of this instance's and the database's clocks, as maintenance measures
            // time: an instance whose clock runs ahead must not report a healthy job as dead.
            var instanceNow = time.GetUtcNow().UtcDateTime;
            var lag = (instanceNow < databaseNow ? instanceNow : databaseNow) - watermark;
            data["watermark"] = watermark;
            data["lagSeconds"] = Math.Round(lag.TotalSeconds);
            var description = $"Last refresh reached {watermark:O}, {lag.TotalMinutes:0.#} min ago.";
            if (lag > unhealthyAfter)
            {
                return new HealthCheckResult(failure, description + $" No refresh for more than {unhealthyAfter.TotalMinutes:0.#} min: is the refresh job running?" + failures, data: data);
            }

            var emptied = await EmptiedTablesAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            if (emptied.Count > 0)
            {
                data["emptyTables"] = emptied.ToArray();
                return new HealthCheckResult(
                    failure,
                    $"StatsCache table {string.Join(" and ", emptied)} is empty although the cache was built and the source has rows (dropped and recreated?). Reads serve live numbers while it is empty; rebuild with BackfillAsync() (a refresh alone only fills its look-back window)." + failures,
                    data: data);
            }

            var refreshFailed = failed.Any(r => r.Family == Refresher.Operation);
            if (refreshFailed && lag > degradedAfter)
            {
                return new HealthCheckResult(failure, description + failures, data: data);
            }

            var problems = failures;
            if (runs.FirstOrDefault(r => r.Operation == Verifier.DriftOperation) is { } drift)
            {
                data["drift"] = drift.Detail ?? "";
                data["driftFoundAt"] = drift.StartedAt;
                problems += $" Verify at {drift.StartedAt:O} found ranges differing from the source, not repaired: {drift.Detail}. Run VerifyAsync() with Repair = true (or ReconcileAsync of those ranges).";
            }

            // Declared measures the cache has not built yet: exact (read live) but not served from the cache until the next
            // maintenance call builds them — a host that runs none would read them live for ever.
            if (sql.Measures.Count > 0 && state.BackfillTo is null
                && await UnbuiltMeasuresAsync(connection, sql, cancellationToken).ConfigureAwait(false) is { Count: > 0 } unbuilt)
            {
                data["unbuiltMeasures"] = unbuilt.ToArray();
                problems += $" Measures declared but not built yet: {string.Join(", ", unbuilt)}; they are read live until the next maintenance call (RefreshAsync) builds them.";
            }

            if (problems.Length > 0)
            {
                return HealthCheckResult.Degraded(description + problems, data: data);
            }

            return lag > degradedAfter
                ? HealthCheckResult.Degraded(description + $" Behind by more than {degradedAfter.TotalMinutes:0.#} min.", data: data)
                : HealthCheckResult.Healthy(description, data);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new HealthCheckResult(failure, "Cannot read the cache's state: " + e.Message, e);
        }
    }

    private IEnumerable<string> Tables(CacheSql sql)
    {
        yield return sql.Buckets;
        yield return sql.Totals;
        yield return sql.SessionStatistics;
        yield return sql.FirstSeen;
        yield return sql.State;
        yield return sql.Runs;
        if (env.Options.ChangeTracking)
        {
            yield return sql.SourceChanges;
        }

        if (sql.Measures.Count > 0)
        {
            yield return sql.MeasureBuckets;
            yield return sql.MeasureTotals;
            yield return sql.SessionMeasures;
            yield return sql.MeasureRegistry;
        }
    }

    private async Task<List<string>> UnbuiltMeasuresAsync(NpgsqlConnection connection, CacheSql sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(HealthSql.UnbuiltMeasures(sql), connection);
        command.Parameters.AddWithValue("cache", env.Options.CacheName);
        command.Parameters.Add(new NpgsqlParameter("measures", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = sql.Measures.Select(m => m.Name).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("fingerprints", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = sql.Measures.Select(m => m.Fingerprint).ToArray() });
        var unbuilt = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            unbuilt.Add(reader.GetString(0));
        }

        return unbuilt;
    }

    private async Task<List<string>> MissingTablesAsync(NpgsqlConnection connection, CacheSql sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(HealthSql.MissingTables, connection);
        command.Parameters.Add(new NpgsqlParameter("tables", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = Tables(sql).ToArray() });
        var missing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            missing.Add(reader.GetString(0));
        }

        return missing;
    }

    private async Task<List<LatestRun>> LatestRunsAsync(NpgsqlConnection connection, CacheSql sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(HealthSql.LatestRuns(sql), connection);
        command.Parameters.AddWithValue("cache", env.Options.CacheName);
        var runs = new List<LatestRun>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            runs.Add(new LatestRun(reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return runs;
    }

    private static async Task<List<string>> EmptiedTablesAsync(NpgsqlConnection connection, CacheSql sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(HealthSql.EmptyTables(sql), connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var emptied = new List<string>();
        if (reader.GetBoolean(2))
        {
            if (!reader.GetBoolean(0))
            {
                emptied.Add(sql.Buckets);
            }

            if (!reader.GetBoolean(1))
            {
                emptied.Add(sql.SessionStatistics);
            }
        }

        return emptied;
    }

    /// <summary>The latest run of an operation family (refresh, backfill, …), which may be its failure or a verify's drift.</summary>
    private sealed record LatestRun(string Family, string Operation, DateTime StartedAt, string? Detail);
}

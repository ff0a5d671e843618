using System.Data;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>
/// The host-declared measures' side of maintenance: the registry step every operation takes under the maintenance lock
/// (<see cref="SyncAsync"/>), and the commands that forget, build and register measures, bound here for the statements of
/// <see cref="MeasureRegistrySql"/>, <see cref="MeasureBuildSql"/> and <see cref="MeasureTotalsSql"/>. Nothing is sent for
/// a cache that declares no measure (its tables may not even exist: they are optional in a host's model).
/// </summary>
internal static partial class MeasureRegistry
{
    /// <summary>
    /// The registry step: measures registered but no longer declared, or registered with another fingerprint, lose their
    /// rows and registration; when the cache is built (a watermark, no full backfill under way), every declared measure
    /// without a current registration is built over the whole history before the watermark, at the sizes the stored
    /// cut-offs give, with its session rows and totals, and registered — all in one repeatable-read transaction, so readers
    /// switch from live numbers to whole rows at its commit. Returns the declared measures still unbuilt (those a full
    /// backfill under way, or the first build, must build and register).
    /// </summary>
    public static async Task<IReadOnlyList<HostMeasure>> SyncAsync(NpgsqlConnection connection, CacheSql sql, string cacheName, StateRow state, DateTime now, int timeout, ILogger logger, CancellationToken cancellationToken)
    {
        if (sql.Measures.Count == 0)
        {
            // Measures all removed from the options: forget what was registered (nothing to do, one probe, otherwise).
            await using var forget = new NpgsqlCommand(MeasureRegistrySql.ForgetAll(sql, cacheName), connection) { CommandTimeout = timeout };
            await forget.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return [];
        }

        var registered = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var read = new NpgsqlCommand(MeasureRegistrySql.Registered(sql), connection) { CommandTimeout = timeout })
        {
            read.Parameters.AddWithValue("cache", cacheName);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                registered[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var declared = sql.Measures.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var stale = registered.Where(r => !declared.TryGetValue(r.Key, out var m) || m.Fingerprint != r.Value).Select(r => r.Key).ToList();
        var unbuilt = sql.Measures.Where(m => !registered.TryGetValue(m.Name, out var fingerprint) || fingerprint != m.Fingerprint).ToList();
        var build = state.Watermark is not null && !(state.BackfillTo is not null && state.BackfillExperiments is null);
        if (stale.Count == 0 && (unbuilt.Count == 0 || !build))
        {
            return unbuilt;
        }

        var started = Stopwatch.GetTimestamp();
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using (var batch = new NpgsqlBatch(connection, transaction) { Timeout = timeout })
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL jit = off"));
            var forget = build ? [.. stale, .. unbuilt.Select(m => m.Name)] : stale;
            foreach (var command in Forget(sql, cacheName, forget))
            {
                batch.BatchCommands.Add(command);
            }

            if (build)
            {
                foreach (var command in Build(sql, unbuilt, state.Watermark!.Value, state.DailyFrom, state.HourlyFrom, now))
                {
                    batch.BatchCommands.Add(command);
                }

                batch.BatchCommands.Add(Register(sql, cacheName, unbuilt, now));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (stale.Count > 0)
        {
            Forgotten(logger, string.Join(", ", stale));
        }

        if (build && unbuilt.Count > 0)
        {
            Built(logger, string.Join(", ", unbuilt.Select(m => m.Name)), state.Watermark!.Value, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return [];
        }

        return unbuilt;
    }

    /// <summary>Deletes every row and the registration of the measures <paramref name="names"/> (nothing when there are none).</summary>
    public static IEnumerable<NpgsqlBatchCommand> Forget(CacheSql sql, string cacheName, IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            yield break;
        }

        foreach (var text in MeasureRegistrySql.Forget(sql))
        {
            var command = new NpgsqlBatchCommand(text);
            command.Parameters.AddWithValue("cache", cacheName);
            command.Parameters.Add(Names("measures", names));
            yield return command;
        }
    }

    /// <summary>
    /// Builds the measures <paramref name="measures"/> (whose rows were just forgotten) over all their rows before
    /// <paramref name="to"/>: buckets at the sizes of the cut-offs (none stored: hours throughout), session rows, then totals.
    /// </summary>
    public static IEnumerable<NpgsqlBatchCommand> Build(CacheSql sql, IReadOnlyList<HostMeasure> measures, DateTime to, DateTime? dailyFrom, DateTime? hourlyFrom, DateTime now)
    {
        if (measures.Count == 0)
        {
            yield break;
        }

        var beginning = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);
        foreach (var measure in measures)
        {
            foreach (var text in new[] { MeasureBuildSql.Buckets(sql, measure), MeasureBuildSql.Sessions(sql, measure) })
            {
                var command = new NpgsqlBatchCommand(text);
                command.Parameters.AddWithValue("to", to);
                command.Parameters.AddWithValue("now", now);
                command.Parameters.AddWithValue("daily_from", dailyFrom ?? beginning);
                command.Parameters.AddWithValue("hourly_from", hourlyFrom ?? beginning);
                yield return command;
            }
        }

        var totals = new NpgsqlBatchCommand(MeasureTotalsSql.Build(sql));
        totals.Parameters.AddWithValue("now", now);
        totals.Parameters.Add(Names("measures", measures.Select(m => m.Name).ToList()));
        yield return totals;
    }

    /// <summary>Registers <paramref name="measures"/> with their current fingerprints, built at <paramref name="now"/>.</summary>
    public static NpgsqlBatchCommand Register(CacheSql sql, string cacheName, IReadOnlyList<HostMeasure> measures, DateTime now)
    {
        var command = new NpgsqlBatchCommand(MeasureRegistrySql.Register(sql));
        command.Parameters.AddWithValue("cache", cacheName);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.Add(Names("measures", measures.Select(m => m.Name).ToList()));
        command.Parameters.Add(Names("fingerprints", measures.Select(m => m.Fingerprint).ToList()));
        return command;
    }

    private static NpgsqlParameter Names(string name, IReadOnlyCollection<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };

    [LoggerMessage(430, LogLevel.Information, "StatsCache forgot the measures {Measures}: no longer declared, or declared with another definition; their rows and registrations are deleted")]
    private static partial void Forgotten(ILogger logger, string measures);

    [LoggerMessage(431, LogLevel.Information, "StatsCache built the measures {Measures} over the history before {Watermark:O} and registered them in {ElapsedMs:F1} ms")]
    private static partial void Built(ILogger logger, string measures, DateTime watermark, double elapsedMs);
}

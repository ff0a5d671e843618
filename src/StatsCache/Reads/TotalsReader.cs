using Npgsql;
using StatsCache.Internal;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Reads;

/// <summary>
/// Batch reads: one statement, one round trip per page, always scoped to a team. Every requested id
/// gets an entry; ids with nothing recorded for the team — unknown ids and ids of another team
/// alike — read as zeros, so a read reveals nothing about other teams.
/// </summary>
internal sealed class TotalsReader(CacheEnvironment env, TimeProvider time)
{
    public async Task<IReadOnlyDictionary<TExperimentId, ExperimentStats>> ExperimentTotalsAsync<TTeamId, TExperimentId>(TTeamId teamId, IEnumerable<TExperimentId>? experimentIds, ReadMode mode, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull
    {
        var ids = Distinct(experimentIds);
        var result = new Dictionary<TExperimentId, ExperimentStats>(ids.Length);
        if (ids.Length == 0)
        {
            return result;
        }

        var measures = env.Sql.Measures.Count == 0 || !Enum.IsDefined(mode) ? null : MeasureReadSql.ExperimentTotals(env.Sql, mode);
        var (rows, values) = await ReadAsync(
            mode, env.Sql.Totals, TotalsReadSql.Cached(env.Sql), TotalsReadSql.RealTime(env.Sql), TailReadSql.ExperimentTotals(env.Sql), measures, teamId, ids,
            static r => (Id: r.GetFieldValue<TExperimentId>(0), Stats: new ExperimentStats { SessionCount = r.GetInt64(1), ParticipantCount = r.GetInt64(2), HumanMessageCount = r.GetInt64(3), LastActivity = r.IsDBNull(4) ? null : r.GetDateTime(4) }),
            cancellationToken).ConfigureAwait(false);
        foreach (var (id, stats) in rows)
        {
            result[id] = stats;
        }

        foreach (var id in ids)
        {
            result.TryAdd(id, ExperimentStats.Empty);
        }

        if (values is not null)
        {
            var named = new MeasureValues(env.Sql.Measures);
            foreach (var id in ids)
            {
                result[id] = result[id] with { Measures = named.Of(values.GetValueOrDefault(id)) };
            }
        }

        return result;
    }

    public async Task<IReadOnlyDictionary<TSessionId, SessionStats>> SessionTotalsAsync<TTeamId, TSessionId>(TTeamId teamId, IEnumerable<TSessionId>? sessionIds, ReadMode mode, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TSessionId : notnull
    {
        var ids = Distinct(sessionIds);
        var result = new Dictionary<TSessionId, SessionStats>(ids.Length);
        if (ids.Length == 0)
        {
            return result;
        }

        var measures = env.Sql.Measures.Count == 0 || !Enum.IsDefined(mode) ? null : MeasureReadSql.SessionTotals(env.Sql, mode);
        var (rows, values) = await ReadAsync(
            mode, env.Sql.SessionStatistics, ReadSql.SessionTotals(env.Sql), TailReadSql.SessionTotals(env.Sql), TailReadSql.SessionTotals(env.Sql), measures, teamId, ids,
            static r => (Id: r.GetFieldValue<TSessionId>(0), Stats: new SessionStats { HumanMessageCount = r.GetInt64(1), LastActivity = r.IsDBNull(2) ? null : r.GetDateTime(2), Versions = r.GetFieldValue<string[]>(3) }),
            cancellationToken).ConfigureAwait(false);
        foreach (var (id, stats) in rows)
        {
            result[id] = stats;
        }

        foreach (var id in ids)
        {
            result.TryAdd(id, SessionStats.Empty);
        }

        if (values is not null)
        {
            var named = new MeasureValues(env.Sql.Measures);
            foreach (var id in ids)
            {
                result[id] = result[id] with { Measures = named.Of(values.GetValueOrDefault(id)) };
            }
        }

        return result;
    }

    public async Task<IReadOnlyList<BucketStats>> ExperimentBucketsAsync<TTeamId, TExperimentId>(TTeamId teamId, TExperimentId experimentId, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull
    {
        await using var command = env.DataSource.CreateCommand(ReadSql.ExperimentBuckets(env.Sql));
        command.Parameters.Add(new NpgsqlParameter<TTeamId>("team", teamId));
        command.Parameters.Add(new NpgsqlParameter<TExperimentId>("experiment", experimentId));
        var rows = new List<BucketStats>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var size = (BucketSize)reader.GetInt16(0);
            var start = reader.GetDateTime(1);
            rows.Add(new BucketStats { Size = size, Start = start, End = BucketCalendar.End(start, size, env.Sql.TimeZone), SessionCount = reader.GetInt32(2), NewParticipantCount = reader.GetInt32(3), HumanMessageCount = reader.GetInt64(4), LastActivity = reader.IsDBNull(5) ? null : reader.GetDateTime(5), UpdatedAt = reader.GetDateTime(6) });
        }

        return rows;
    }

    public async Task<CacheStatus> StatusAsync(int recentRuns, CancellationToken cancellationToken)
    {
        var sql = env.Sql;
        await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                StateStore.Read(sql, env.Options.CacheName),
                new NpgsqlBatchCommand(ReadSql.BucketCounts(sql)),
                new NpgsqlBatchCommand($"SELECT count(*) FROM {sql.SessionStatistics}"),
                new NpgsqlBatchCommand(ReadSql.RecentRuns(sql)) { Parameters = { new NpgsqlParameter("cache", env.Options.CacheName), new NpgsqlParameter("limit", recentRuns) } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var state = await StateStore.ReadRowAsync(reader, env.Options.CacheName, cancellationToken).ConfigureAwait(false);
        var (watermark, dailyFrom, hourlyFrom, backfilling) = (state?.Watermark, state?.DailyFrom, state?.HourlyFrom, state?.BackfillTo is not null);

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var counts = Enum.GetValues<BucketSize>().ToDictionary(s => s, _ => 0L);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[(BucketSize)reader.GetInt16(0)] = reader.GetInt64(1);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var sessionRows = reader.GetInt64(0);

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var runs = new List<RunInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            runs.Add(new RunInfo { Operation = reader.GetString(0), StartedAt = reader.GetDateTime(1), Duration = TimeSpan.FromMilliseconds(reader.GetDouble(2)), RowsWritten = reader.GetInt64(3), Detail = reader.IsDBNull(4) ? null : reader.GetString(4) });
        }

        var lag = watermark is { } w ? time.GetUtcNow().UtcDateTime - w : (TimeSpan?)null;
        return new CacheStatus { Watermark = watermark, WatermarkLag = lag, DailyFrom = dailyFrom, HourlyFrom = hourlyFrom, BucketCounts = counts, SessionRows = sessionRows, BackfillInProgress = backfilling, RecentRuns = runs };
    }

    /// <summary>
    /// Reads the rows of a read mode. Cached and real-time reads are gated on the cache being built
    /// (<see cref="ReadSql.Built"/>): the gate and the read go in one batch, one round trip; only when the
    /// gate says "not built" (a first build running or interrupted, a cache table emptied) is the live
    /// statement sent as a second one, so a first build never shows partial numbers. Gate and read are
    /// separate statements rather than one UNION ALL of both branches: PostgreSQL plans every branch of a
    /// statement, and planning the live fallback on every read cost 1.5–2 ms (and, with JIT on, 40 ms).
    /// Experiments are gated on the totals table: a cache built before it existed serves live numbers until
    /// the next maintenance call fills it. Real-time reads are <paramref name="realTime"/> (for experiments,
    /// the totals row plus the tail); the live read is <paramref name="tail"/> with @live set.
    /// The host-declared measures' statement (<paramref name="measures"/>, <see cref="MeasureReadSql"/>; null without
    /// measures, and then nothing else is sent) goes in the same batch as the built-in read — the gated one, or the
    /// live one in live mode — and applies the gate itself, reading live what it may not serve: its rows are final
    /// from the first round trip, and the fallback resends only the built-in statement. It plans a live branch,
    /// so its batch always turns JIT off. Its rows are the values by id and measure (absent: zero).
    /// </summary>
    private async Task<(List<T> Rows, Dictionary<TId, Dictionary<string, long>>? Measures)> ReadAsync<T, TTeamId, TId>(ReadMode mode, string table, string cached, string realTime, string tail, string? measures, TTeamId teamId, TId[] ids, Func<NpgsqlDataReader, T> decode, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TId : notnull
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown read mode.");
        }

        var rows = new List<T>();
        Dictionary<TId, Dictionary<string, long>>? values = null;
        if (mode != ReadMode.Live)
        {
            var gate = ReadSql.Gate(env.Sql, table);
            await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var gated = Batch(connection, GatedStatement(gate, mode == ReadMode.Cached ? cached : realTime), measures, teamId, ids, live: false, withoutJit: mode != ReadMode.Cached || measures is not null);

            // Prepared: the statement is parsed and planned once per physical connection, not on every page
            // (planning cost more than executing it). A no-op, without a round trip, once the pooled connection
            // has it; Npgsql keeps prepared statements across pooled reuse.
            // Off (PrepareReads = false) behind a pooler that cannot keep prepared statements.
            if (env.Options.PrepareReads)
            {
                await gated.PrepareAsync(cancellationToken).ConfigureAwait(false);
            }
            await using var reader = await gated.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var built = false;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                built = reader.GetBoolean(reader.FieldCount - 1);
                if (built && !reader.IsDBNull(0))
                {
                    rows.Add(decode(reader));
                }
            }

            if (measures is not null)
            {
                values = await ReadMeasuresAsync<TId>(reader, cancellationToken).ConfigureAwait(false);
            }

            if (built)
            {
                return (rows, values);
            }
        }

        await using var live = Batch(null, tail, mode == ReadMode.Live ? measures : null, teamId, ids, live: true);
        await using (var reader = await live.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(decode(reader));
            }

            if (mode == ReadMode.Live && measures is not null)
            {
                values = await ReadMeasuresAsync<TId>(reader, cancellationToken).ConfigureAwait(false);
            }
        }

        return (rows, values);
    }

    /// <summary>The measures' result set, the next one of <paramref name="reader"/>: (id, measure, value) rows by id.</summary>
    private static async Task<Dictionary<TId, Dictionary<string, long>>> ReadMeasuresAsync<TId>(NpgsqlDataReader reader, CancellationToken cancellationToken)
        where TId : notnull
    {
        var values = new Dictionary<TId, Dictionary<string, long>>();
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetFieldValue<TId>(0);
            if (!values.TryGetValue(id, out var byName))
            {
                values[id] = byName = [];
            }

            byName[reader.GetString(1)] = reader.GetInt64(2);
        }

        return values;
    }

    /// <summary>
    /// The gate and the read as one statement (one plan and one execution instead of two statements in the
    /// batch; see docs/benchmarks.md, batch totals): the read's rows, each with the gate's verdict as a
    /// last column, or a single row of nulls and the verdict when there are none (or the cache is not built).
    /// </summary>
    private static string GatedStatement(string gate, string read) => $"""
        WITH gate AS MATERIALIZED (SELECT {gate} AS built)
        SELECT r.*, g.built FROM gate AS g LEFT JOIN LATERAL ({read}) AS r ON g.built
        """;

    /// <summary>
    /// A read's batch, on <paramref name="connection"/> or (null) the data source: JIT off for it alone (<see cref="ReadSql.WithoutJit"/>) when <paramref name="withoutJit"/>, then
    /// the statement, then the measures' statement when there is one (@team, @ids, @cache). A cached read is keyed lookups whose plan costs far below <c>jit_above_cost</c>, so it goes alone;
    /// a real-time or live read scans the source and keeps JIT off.
    /// </summary>
    private NpgsqlBatch Batch<TTeamId, TId>(NpgsqlConnection? connection, string text, string? measures, TTeamId teamId, TId[] ids, bool live, bool withoutJit = true)
        where TTeamId : notnull
        where TId : notnull
    {
        var batch = connection is null ? env.DataSource.CreateBatch() : new NpgsqlBatch(connection);
        if (withoutJit)
        {
            batch.BatchCommands.Add(ReadSql.WithoutJit());
        }

        var command = new NpgsqlBatchCommand(text);
        command.Parameters.Add(new NpgsqlParameter<TTeamId>("team", teamId));
        command.Parameters.Add(new NpgsqlParameter<TId[]>("ids", ids));
        command.Parameters.AddWithValue("live", live);
        command.Parameters.AddWithValue("cache", env.Options.CacheName);
        batch.BatchCommands.Add(command);
        if (measures is not null)
        {
            var measure = new NpgsqlBatchCommand(measures);
            measure.Parameters.Add(new NpgsqlParameter<TTeamId>("team", teamId));
            measure.Parameters.Add(new NpgsqlParameter<TId[]>("ids", ids));
            measure.Parameters.AddWithValue("cache", env.Options.CacheName);
            batch.BatchCommands.Add(measure);
        }

        return batch;
    }

    private static TId[] Distinct<TId>(IEnumerable<TId>? ids) => ids is null ? [] : ids.Distinct().ToArray();
}

using Npgsql;
using NpgsqlTypes;
using StatsCache.Internal;
using StatsCache.Policy;
using StatsCache.Sql;

namespace StatsCache.Reads;

/// <summary>
/// Batch reads: one statement, one round trip per page, always scoped to a team. Every requested id
/// gets an entry; ids with nothing recorded for the team — unknown ids and ids of another team
/// alike — read as zeros, so a read reveals nothing about other teams.
/// </summary>
internal sealed class TotalsReader(CacheEnvironment env, TimeProvider time)
{
    public async Task<IReadOnlyDictionary<long, ExperimentTotals>> ExperimentTotalsAsync(long teamId, IEnumerable<long>? experimentIds, ReadMode mode, CancellationToken cancellationToken)
    {
        var ids = Distinct(experimentIds);
        var result = new Dictionary<long, ExperimentTotals>(ids.Length);
        if (ids.Length == 0)
        {
            return result;
        }

        await using var command = Command(mode, env.Sql.Buckets, ReadSql.ExperimentTotals(env.Sql), TailReadSql.ExperimentTotals(env.Sql), teamId, ids);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetInt64(0);
                result[id] = new ExperimentTotals(id, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetDateTime(4));
            }
        }

        foreach (var id in ids)
        {
            result.TryAdd(id, ExperimentTotals.Empty(id));
        }

        return result;
    }

    public async Task<IReadOnlyDictionary<long, SessionTotals>> SessionTotalsAsync(long teamId, IEnumerable<long>? sessionIds, ReadMode mode, CancellationToken cancellationToken)
    {
        var ids = Distinct(sessionIds);
        var result = new Dictionary<long, SessionTotals>(ids.Length);
        if (ids.Length == 0)
        {
            return result;
        }

        await using var command = Command(mode, env.Sql.SessionStatistics, ReadSql.SessionTotals(env.Sql), TailReadSql.SessionTotals(env.Sql), teamId, ids);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetInt64(0);
                result[id] = new SessionTotals(id, reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetDateTime(2), reader.GetFieldValue<string[]>(3));
            }
        }

        foreach (var id in ids)
        {
            result.TryAdd(id, SessionTotals.Empty(id));
        }

        return result;
    }

    public async Task<IReadOnlyList<BucketRow>> ExperimentBucketsAsync(long teamId, long experimentId, CancellationToken cancellationToken)
    {
        await using var command = env.DataSource.CreateCommand(ReadSql.ExperimentBuckets(env.Sql));
        command.Parameters.AddWithValue("team", teamId);
        command.Parameters.AddWithValue("experiment", experimentId);
        var rows = new List<BucketRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var size = (BucketSize)reader.GetInt16(0);
            var start = reader.GetDateTime(1);
            rows.Add(new BucketRow(size, start, BucketCalendar.End(start, size, env.Sql.TimeZone), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetDateTime(5), reader.GetDateTime(6)));
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
                new NpgsqlBatchCommand(StateSql.Read(sql)) { Parameters = { new NpgsqlParameter("cache", env.Options.CacheName) } },
                new NpgsqlBatchCommand(ReadSql.BucketCounts(sql)),
                new NpgsqlBatchCommand($"SELECT count(*) FROM {sql.SessionStatistics}"),
                new NpgsqlBatchCommand(ReadSql.RecentRuns(sql)) { Parameters = { new NpgsqlParameter("cache", env.Options.CacheName), new NpgsqlParameter("limit", recentRuns) } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        DateTime? watermark = null, dailyFrom = null, hourlyFrom = null;
        var backfilling = false;
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            watermark = reader.IsDBNull(0) ? null : reader.GetDateTime(0);
            dailyFrom = reader.IsDBNull(1) ? null : reader.GetDateTime(1);
            hourlyFrom = reader.IsDBNull(2) ? null : reader.GetDateTime(2);
            backfilling = !reader.IsDBNull(5);
        }

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
            runs.Add(new RunInfo(reader.GetString(0), reader.GetDateTime(1), TimeSpan.FromMilliseconds(reader.GetDouble(2)), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        var lag = watermark is { } w ? time.GetUtcNow().UtcDateTime - w : (TimeSpan?)null;
        return new CacheStatus(watermark, lag, dailyFrom, hourlyFrom, counts, sessionRows, backfilling, runs);
    }

    /// <summary>
    /// The statement of a read mode. Cached and real-time reads are gated on the cache being built
    /// (<see cref="ReadSql.UntilBuilt"/>): until a full build has completed they read live, in the
    /// same statement, so a first build never shows partial numbers. Live reads need no gate.
    /// </summary>
    private NpgsqlBatch Command(ReadMode mode, string table, string cached, string tail, long teamId, long[] ids)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown read mode.");
        }

        var text = mode switch
        {
            ReadMode.Cached => ReadSql.UntilBuilt(env.Sql, table, cached, tail),
            ReadMode.RealTime => ReadSql.UntilBuilt(env.Sql, table, tail, tail),
            _ => tail,
        };
        var batch = env.DataSource.CreateBatch();
        batch.BatchCommands.Add(ReadSql.WithoutJit());
        var command = new NpgsqlBatchCommand(text);
        command.Parameters.AddWithValue("team", teamId);
        command.Parameters.Add(Ids(ids));
        command.Parameters.AddWithValue("live", mode == ReadMode.Live);
        command.Parameters.AddWithValue("cache", env.Options.CacheName);
        batch.BatchCommands.Add(command);
        return batch;
    }

    private static long[] Distinct(IEnumerable<long>? ids) => ids is null ? [] : ids.Distinct().ToArray();

    private static NpgsqlParameter Ids(long[] ids) => new("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids };
}

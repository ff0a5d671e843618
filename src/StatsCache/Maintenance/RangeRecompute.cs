using Npgsql;
using StatsCache.Storage;
using StatsCache.Policy;
using StatsCache.Sql;

namespace StatsCache.Maintenance;

/// <summary>
/// The one operation refresh and backfill share: make the buckets and session rows of a time range
/// reflect the source, in buckets of one size. A fixed batch of set-based statements, sent in one
/// round trip, whatever the number of experiments, sessions or buckets involved.
/// </summary>
/// <remarks>
/// The totals rows follow the buckets in one of two ways. By default (backfill, reconcile, and always when
/// mirroring deletions) every experiment whose buckets the range wrote is re-summed from all its buckets
/// (<see cref="TotalsSql.Recompute"/>): exact by construction, whatever the totals held, at the cost of each
/// experiment's whole history. A refresh that does not mirror deletions passes <c>totalsByDelta</c>: the totals
/// move by the differences the range's writes make (<see cref="TotalsSql.ApplyMovedOut"/>,
/// <see cref="TotalsSql.ApplyBucketDeltas"/>), a cost that follows the range's rows only — exact because the
/// totals equal their buckets' sums before it (every operation keeps them so) and counts there only grow.
/// </remarks>
internal static class RangeRecompute
{
    public static async Task<long> RunAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        CacheSql sql,
        BackfillChunk range,
        Array? experiments,
        DateTime now,
        DateTime sessionsUntil,
        int commandTimeout,
        CancellationToken cancellationToken,
        bool totalsByDelta = false)
    {
        var limited = experiments is not null;
        var deltas = totalsByDelta && !sql.MirrorDeletions;
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = commandTimeout };

        // These statements run once per range: compiling them with JIT costs more than it saves
        // (measured: a full backfill at the reference size took 12% longer with it).
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL jit = off"));

        // Buckets are recomputed whole: a piece of a split bucket leaves them to the bucket's last
        // piece, which recomputes them from the bucket's start (BackfillChunk.BucketsFrom).
        var buckets = range with { From = range.BucketsFrom };

        // A coarser backfill chunk first folds any finer buckets of its range into its own size,
        // so the range is covered by one size only before the recount merges into it.
        foreach (var finer in Enum.GetValues<BucketSize>().Where(s => range.WritesBuckets && s < range.Size))
        {
            foreach (var text in RollUpSql.RollUp(sql, finer, range.Size, limited))
            {
                var rollUp = Command(text, buckets, experiments, now);
                rollUp.Parameters.AddWithValue("rollup_from", buckets.From);
                rollUp.Parameters.AddWithValue("rollup_to", buckets.To);
                batch.BatchCommands.Add(rollUp);
            }
        }

        // A cache built before the totals table existed (or whose totals were emptied) gets them from its
        // buckets first, in this transaction; free once the table holds a row.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(TotalsSql.FillIfEmpty(sql, now)));
        if (sql.MirrorDeletions)
        {
            batch.BatchCommands.Add(WithBucketsFrom(Command(TotalsSql.MarkRange(sql, limited), range, experiments, now), buckets.From));
        }

        if (deltas)
        {
            // Before the first-seen rows change (as the first-seen statements read them).
            batch.BatchCommands.Add(Command(TotalsSql.ApplyMovedOut(sql, limited), range, experiments, now));
        }

        foreach (var text in FirstSeenSql.Upsert(sql, limited))
        {
            batch.BatchCommands.Add(Command(text, range, experiments, now));
        }

        if (range.WritesBuckets)
        {
            if (deltas)
            {
                // Just before the bucket upsert: the same source snapshot and the same bucket rows it merges into.
                batch.BatchCommands.Add(Command(TotalsSql.ApplyBucketDeltas(sql, range.Size, limited), buckets, experiments, now));
            }

            foreach (var text in BucketRecomputeSql.Upsert(sql, range.Size, limited))
            {
                batch.BatchCommands.Add(Command(text, buckets, experiments, now));
            }
        }

        var sessions = Command(SessionTotalsSql.Upsert(sql, limited), range, experiments, now);
        sessions.Parameters.AddWithValue("sessions_until", sessionsUntil);
        batch.BatchCommands.Add(sessions);

        if (!deltas)
        {
            // The totals rows of every experiment whose buckets this range may have changed, from its buckets.
            foreach (var text in TotalsSql.Recompute(sql, limited, range.WritesBuckets))
            {
                batch.BatchCommands.Add(WithBucketsFrom(Command(text, range, experiments, now), buckets.From));
            }
        }

        if (sql.Measures.Count > 0)
        {
            AddMeasures(batch, sql, range, buckets, experiments, now, sessionsUntil);
        }

        return await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The host-declared measures' statements of the range, after the built-in ones (they touch only the measure tables):
    /// the finer measure buckets rolled up into the range's size, the range's measure buckets recomputed (mirroring, the
    /// experiments' totals rows marked first), the session rows recounted, and the totals of every experiment whose measure
    /// buckets were written re-summed. A piece of a split bucket writes no buckets: only its session rows.
    /// </summary>
    private static void AddMeasures(NpgsqlBatch batch, CacheSql sql, BackfillChunk range, BackfillChunk buckets, Array? experiments, DateTime now, DateTime sessionsUntil)
    {
        var limited = experiments is not null;
        if (range.WritesBuckets)
        {
            foreach (var finer in Enum.GetValues<BucketSize>().Where(s => s < range.Size))
            {
                foreach (var text in MeasureBucketSql.RollUp(sql, finer, range.Size, limited))
                {
                    var rollUp = Command(text, buckets, experiments, now);
                    rollUp.Parameters.AddWithValue("rollup_from", buckets.From);
                    rollUp.Parameters.AddWithValue("rollup_to", buckets.To);
                    batch.BatchCommands.Add(rollUp);
                }
            }

            if (sql.MirrorDeletions)
            {
                batch.BatchCommands.Add(WithBucketsFrom(Command(MeasureTotalsSql.MarkRange(sql, limited), range, experiments, now), buckets.From));
            }

            batch.BatchCommands.Add(Command(MeasureBucketSql.Upsert(sql, range.Size, limited), buckets, experiments, now));
        }

        var sessions = Command(MeasureSessionSql.Upsert(sql, limited), range, experiments, now);
        sessions.Parameters.AddWithValue("sessions_until", sessionsUntil);
        batch.BatchCommands.Add(sessions);

        if (range.WritesBuckets)
        {
            foreach (var text in MeasureTotalsSql.Recompute(sql, limited))
            {
                batch.BatchCommands.Add(WithBucketsFrom(Command(text, range, experiments, now), buckets.From));
            }
        }
    }

    private static NpgsqlBatchCommand WithBucketsFrom(NpgsqlBatchCommand command, DateTime bucketsFrom)
    {
        command.Parameters.AddWithValue("buckets_from", bucketsFrom);
        return command;
    }

    private static NpgsqlBatchCommand Command(string text, BackfillChunk range, Array? experiments, DateTime now)
    {
        var command = new NpgsqlBatchCommand(text);
        command.Parameters.AddWithValue("from", range.From);
        command.Parameters.AddWithValue("to", range.To);
        command.Parameters.AddWithValue("now", now);
        if (experiments is not null)
        {
            command.Parameters.Add(KeyArrays.Parameter("experiments", experiments));
        }

        return command;
    }
}

namespace StatsCache.Policy;

/// <summary>
/// Splits a backfill range into chunks of at most one calendar month, each written directly at the
/// bucket size the retention policy keeps for it. Writing old months straight into monthly
/// buckets (instead of hours, later compressed) is what keeps a full backfill close to the cost
/// of a plain scan; chunking keeps every transaction small and makes the backfill resumable.
/// </summary>
internal static class BackfillPlan
{
    /// <summary>The chunks covering [<paramref name="from"/>, <paramref name="to"/>), oldest first; months and days of <paramref name="zone"/> (null: UTC).</summary>
    public static IReadOnlyList<BackfillChunk> Chunks(DateTime from, DateTime to, RetentionCutoffs cutoffs, ReportingTimeZone? zone = null)
    {
        UtcGuard.Require(from, nameof(from));
        UtcGuard.Require(to, nameof(to));
        var chunks = new List<BackfillChunk>();
        if (from >= to)
        {
            return chunks;
        }

        // Align the start to the coarsest bucket that will hold it, so no bucket is written half.
        var cursor = BucketCalendar.Floor(from, cutoffs.SizeAt(from), zone);
        while (cursor < to)
        {
            var size = cutoffs.SizeAt(cursor);
            var limit = size switch
            {
                BucketSize.Month => cutoffs.DailyFrom,
                BucketSize.Day => cutoffs.HourlyFrom,
                _ => to,
            };
            var end = Min(Min(BucketCalendar.End(BucketCalendar.Floor(cursor, BucketSize.Month, zone), BucketSize.Month, zone), limit), to);
            if (size == BucketSize.Hour)
            {
                end = to; // the hourly tail is at most a few days: one chunk
            }

            chunks.Add(new BackfillChunk(cursor, end, size));
            cursor = end;
        }

        return chunks;
    }

    /// <summary>
    /// The calendar chunks of <see cref="Chunks(DateTime, DateTime, RetentionCutoffs, ReportingTimeZone?)"/>,
    /// split further so that each reads at most <see cref="ChunkVolume.MaxRowsPerChunk"/> rows where
    /// whole hours allow it: a chunk over the limit becomes runs of whole buckets under it, and a single
    /// day or month bucket over it becomes pieces of whole hours whose last piece recomputes the
    /// bucket (<see cref="BackfillChunk.WritesBuckets"/>). An hour is never split.
    /// </summary>
    /// <param name="from">Inclusive start (UTC).</param>
    /// <param name="to">Exclusive end (UTC).</param>
    /// <param name="cutoffs">Where bucket sizes change.</param>
    /// <param name="zone">Days and months of this zone; null is UTC.</param>
    /// <param name="volume">Rows per hour of the range, and the limit.</param>
    /// <param name="splitBucketsUntil">
    /// Buckets ending after this instant are never split into pieces (null: any bucket may be). A piece
    /// writes session rows ahead of its bucket, which is only consistent below the watermark: real-time
    /// reads add the source from the watermark on to every row written before it.
    /// </param>
    internal static IReadOnlyList<BackfillChunk> Chunks(DateTime from, DateTime to, RetentionCutoffs cutoffs, ReportingTimeZone? zone, ChunkVolume volume, DateTime? splitBucketsUntil)
    {
        var max = volume.MaxRowsPerChunk;
        var chunks = new List<BackfillChunk>();
        foreach (var chunk in Chunks(from, to, cutoffs, zone))
        {
            if (volume.Rows(chunk.From, chunk.To) <= max)
            {
                chunks.Add(chunk);
                continue;
            }

            // Runs of whole buckets, each run as many buckets as fit under the limit (at least one).
            var runFrom = chunk.From;
            long runRows = 0;
            for (var bucket = chunk.From; bucket < chunk.To;)
            {
                var end = Min(BucketCalendar.End(bucket, chunk.Size, zone), chunk.To);
                var rows = volume.Rows(bucket, end);
                if (rows > max && chunk.Size != BucketSize.Hour && (splitBucketsUntil is not { } until || end <= until))
                {
                    if (runFrom < bucket)
                    {
                        chunks.Add(chunk with { From = runFrom, To = bucket, BucketsFrom = runFrom });
                    }

                    chunks.AddRange(Pieces(bucket, end, chunk.Size, volume));
                    (runFrom, runRows) = (end, 0);
                }
                else if (runRows + rows > max && runFrom < bucket)
                {
                    chunks.Add(chunk with { From = runFrom, To = bucket, BucketsFrom = runFrom });
                    (runFrom, runRows) = (bucket, rows);
                }
                else
                {
                    runRows += rows;
                }

                bucket = end;
            }

            if (runFrom < chunk.To)
            {
                chunks.Add(chunk with { From = runFrom, To = chunk.To, BucketsFrom = runFrom });
            }
        }

        return chunks;
    }

    /// <summary>One bucket [<paramref name="bucket"/>, <paramref name="end"/>) as pieces of whole hours under the limit; the last one recomputes the bucket.</summary>
    private static IEnumerable<BackfillChunk> Pieces(DateTime bucket, DateTime end, BucketSize size, ChunkVolume volume)
    {
        var pieceFrom = bucket;
        long pieceRows = 0;
        for (var hour = bucket; hour < end; hour = hour.AddHours(1))
        {
            var rows = volume.Rows(hour, Min(hour.AddHours(1), end));
            if (pieceRows + rows > volume.MaxRowsPerChunk && pieceFrom < hour)
            {
                yield return new BackfillChunk(pieceFrom, hour, size) { WritesBuckets = false };
                (pieceFrom, pieceRows) = (hour, rows);
            }
            else
            {
                pieceRows += rows;
            }
        }

        yield return new BackfillChunk(pieceFrom, end, size) { BucketsFrom = bucket };
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}

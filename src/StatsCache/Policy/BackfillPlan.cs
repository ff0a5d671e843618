namespace StatsCache.Policy;

/// <summary>
/// Splits a backfill range into chunks of at most one calendar month, each written directly at the
/// bucket size the retention policy keeps for it. Writing old months straight into monthly
/// buckets (instead of hours, later compressed) is what keeps a full backfill close to the cost
/// of a plain scan; chunking keeps every transaction small and makes the backfill resumable.
/// </summary>
public static class BackfillPlan
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

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}

namespace StatsCache;

/// <summary>What a recompute does when rows it counted before are gone from the source.</summary>
public enum SourceDeletions
{
    /// <summary>
    /// Keep what was counted (default): counts never go down, so a retention purge of old raw rows
    /// never erases history. Deleted rows stay counted.
    /// </summary>
    KeepHistory = 0,

    /// <summary>
    /// Mirror the source: a recompute of a range (refresh window, backfill, reconcile, tracked
    /// change) makes it equal to what the source holds now, so erasing a participant's data lowers
    /// the totals. Purging raw rows for retention then also erases their statistics once their
    /// range is recomputed.
    /// </summary>
    Mirror = 1,
}

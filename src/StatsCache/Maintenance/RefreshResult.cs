namespace StatsCache.Maintenance;

/// <summary>What a refresh did.</summary>
/// <param name="Skipped">Another instance held the maintenance lock; nothing was done (the other run covers it).</param>
/// <param name="Initialized">The cache had never been built, so this refresh ran (or resumed) the full backfill.</param>
/// <param name="From">Start of the re-read range (watermark minus look-back, hour-aligned); null when skipped.</param>
/// <param name="To">End of the re-read range: "now" from the cache's <see cref="TimeProvider"/>, the new watermark.</param>
/// <param name="RowsWritten">Bucket, session and first-seen rows written.</param>
/// <param name="Duration">Wall time.</param>
public sealed record RefreshResult(bool Skipped, bool Initialized, DateTime? From, DateTime To, long RowsWritten, TimeSpan Duration);

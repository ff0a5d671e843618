namespace StatsCache.Maintenance;

/// <summary>What a backfill did.</summary>
/// <param name="Resumed">It continued an interrupted backfill of the same request.</param>
/// <param name="From">Start of the recomputed range; null if the source was empty.</param>
/// <param name="To">End of the recomputed range ("now" when the backfill started).</param>
/// <param name="Chunks">Chunks (transactions) committed.</param>
/// <param name="RowsWritten">Rows written.</param>
/// <param name="Duration">Wall time.</param>
public sealed record BackfillResult(bool Resumed, DateTime? From, DateTime To, int Chunks, long RowsWritten, TimeSpan Duration);

using StatsCache.Reads;

namespace StatsCache.Maintenance;

/// <summary>What a reconcile changed.</summary>
/// <param name="From">Start of the recomputed range (aligned to the stored buckets).</param>
/// <param name="To">End of the recomputed range.</param>
/// <param name="Chunks">Chunks (transactions) committed.</param>
/// <param name="Changes">Experiments whose statistics over the range changed, with the range's totals before and after.</param>
/// <param name="RowsWritten">Rows written.</param>
/// <param name="Duration">Wall time.</param>
public sealed record ReconcileResult(DateTime From, DateTime To, int Chunks, IReadOnlyList<ExperimentChange> Changes, long RowsWritten, TimeSpan Duration);

/// <summary>One experiment's statistics over a reconciled range, before and after.</summary>
/// <param name="TeamId">The team.</param>
/// <param name="Before">Totals of the range before (participants: first visits in the range).</param>
/// <param name="After">Totals of the range after.</param>
public sealed record ExperimentChange(long TeamId, ExperimentTotals Before, ExperimentTotals After);

namespace StatsCache.Maintenance;

/// <summary>What to backfill.</summary>
/// <param name="From">Recompute from this instant (UTC) on; null: from the first source row.</param>
/// <param name="ExperimentIds">Only these experiments; null: all (and the watermark moves to the end of the backfill).</param>
public sealed record BackfillRequest(DateTime? From = null, IReadOnlyCollection<long>? ExperimentIds = null);

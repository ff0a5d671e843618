namespace StatsCache.Maintenance;

/// <summary>A range to repair: [<paramref name="From"/>, <paramref name="To"/>), for all or some experiments.</summary>
/// <param name="From">Inclusive start (UTC). Widened down to the start of the stored bucket containing it.</param>
/// <param name="To">Exclusive end (UTC). Widened up to the end of the stored bucket containing it, and cut at the watermark.</param>
/// <param name="ExperimentIds">Only these experiments; null for all.</param>
public sealed record ReconcileRequest(DateTime From, DateTime To, IReadOnlyCollection<long>? ExperimentIds = null);

using StatsCache.Policy;

namespace StatsCache.Maintenance;

/// <summary>What to backfill.</summary>
/// <param name="From">
/// Recompute from this instant (UTC) on; null: from the first source row. Allowed from
/// <see cref="RequestBounds.EarliestFrom"/> (1970-01-01) to now.
/// </param>
/// <param name="ExperimentIds">Only these experiments; null: all (and the watermark moves to the end of the backfill).</param>
public sealed record BackfillRequest(DateTime? From = null, IReadOnlyCollection<long>? ExperimentIds = null)
{
    /// <summary>Checks the request before anything runs; a caller's mistake is an <see cref="ArgumentException"/> naming it.</summary>
    internal void Validate(DateTime now)
    {
        UtcGuard.Require(From, "request.From");
        if (From is { } from)
        {
            // After now: an empty range would still move the watermark of a never-built cache to now, hiding all history.
            RequestBounds.Require(from, "request.From", now, "now, there is nothing to backfill after it");
        }
    }
}

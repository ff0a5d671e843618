using StatsCache.Policy;

namespace StatsCache;

/// <summary>What to backfill. The default request (<c>new BackfillRequest()</c>) backfills everything.</summary>
public sealed record BackfillRequest
{
    /// <summary>
    /// Recompute from this instant (UTC) on; null: from the first source row. Allowed from 1970-01-01 to now.
    /// </summary>
    public DateTime? From { get; init; }

    /// <summary>Only these experiments; null: all (and the watermark moves to the end of the backfill).</summary>
    public IReadOnlyCollection<long>? ExperimentIds { get; init; }

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

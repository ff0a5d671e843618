using StatsCache.Policy;

namespace StatsCache;

/// <summary>
/// What to backfill, for a cache whose experiment ids are <typeparamref name="TExperimentId"/> (<c>int</c>,
/// <c>long</c> or <c>Guid</c>). The default request backfills everything. With <c>long</c> ids, use <see cref="BackfillRequest"/>.
/// </summary>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
public record BackfillRequest<TExperimentId>
    where TExperimentId : notnull
{
    /// <summary>
    /// Recompute from this instant (UTC) on; null: from the first source row. Allowed from 1970-01-01 to now.
    /// </summary>
    public DateTime? From { get; init; }

    /// <summary>Only these experiments; null: all (and the watermark moves to the end of the backfill).</summary>
    public IReadOnlyCollection<TExperimentId>? ExperimentIds { get; init; }

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

/// <summary>What to backfill, for a cache with <c>long</c> experiment ids. <c>new BackfillRequest()</c> backfills everything.</summary>
public sealed record BackfillRequest : BackfillRequest<long>;

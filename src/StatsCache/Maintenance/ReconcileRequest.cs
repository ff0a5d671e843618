using StatsCache.Policy;

namespace StatsCache;

/// <summary>
/// A range to repair: [<see cref="From"/>, <see cref="To"/>), for all or some experiments, for a cache whose
/// experiment ids are <typeparamref name="TExperimentId"/>. With <c>long</c> ids, use <see cref="ReconcileRequest"/>.
/// </summary>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
public record ReconcileRequest<TExperimentId>
    where TExperimentId : notnull
{
    /// <summary>Inclusive start (UTC), from 1970-01-01. Widened down to the start of the stored bucket containing it.</summary>
    public required DateTime From { get; init; }

    /// <summary>Exclusive end (UTC), after <see cref="From"/> and at most a day after now. Widened up to the end of the stored bucket containing it, and cut at the watermark.</summary>
    public required DateTime To { get; init; }

    /// <summary>Only these experiments; null for all.</summary>
    public IReadOnlyCollection<TExperimentId>? ExperimentIds { get; init; }

    /// <summary>Checks the request before anything runs; a caller's mistake is an <see cref="ArgumentException"/> naming it.</summary>
    internal void Validate(DateTime now)
    {
#pragma warning disable CA2208 // The names are the request's properties: what the caller set wrong.
        UtcGuard.Require(From, "request.From");
        UtcGuard.Require(To, "request.To");
        if (To <= From)
        {
            throw new ArgumentException($"ReconcileRequest.To ({To:O}) must be after From ({From:O}).", "request");
        }

        var latest = now + RequestBounds.MaintenanceSlack;
        RequestBounds.Require(From, "request.From", latest, "a day after now");
        RequestBounds.Require(To, "request.To", latest, "a day after now");
#pragma warning restore CA2208
    }
}

/// <summary>A range to repair, for a cache with <c>long</c> experiment ids.</summary>
public sealed record ReconcileRequest : ReconcileRequest<long>;

using StatsCache.Policy;

namespace StatsCache.Maintenance;

/// <summary>A range to repair: [<paramref name="From"/>, <paramref name="To"/>), for all or some experiments.</summary>
/// <param name="From">Inclusive start (UTC), from <see cref="RequestBounds.EarliestFrom"/> (1970-01-01). Widened down to the start of the stored bucket containing it.</param>
/// <param name="To">Exclusive end (UTC), after <paramref name="From"/> and at most a day after now. Widened up to the end of the stored bucket containing it, and cut at the watermark.</param>
/// <param name="ExperimentIds">Only these experiments; null for all.</param>
public sealed record ReconcileRequest(DateTime From, DateTime To, IReadOnlyCollection<long>? ExperimentIds = null)
{
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

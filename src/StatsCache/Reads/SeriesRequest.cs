using StatsCache.Policy;

namespace StatsCache.Reads;

/// <summary>A trend series query: the periods of <paramref name="Granularity"/> in [<paramref name="From"/>, <paramref name="To"/>).</summary>
/// <param name="From">Inclusive start (UTC).</param>
/// <param name="To">Exclusive end (UTC); after <paramref name="From"/>.</param>
/// <param name="Granularity">The period wanted: hour, day or month.</param>
/// <param name="FillEmpty">
/// Also return zero points for periods without activity (for charts). Zero points are only made
/// where the cache keeps that resolution, never inside a range it keeps coarser.
/// </param>
public sealed record SeriesRequest(DateTime From, DateTime To, BucketSize Granularity, bool FillEmpty = false)
{
    /// <summary>Checks the request; a caller's mistake is an <see cref="ArgumentException"/> naming it.</summary>
    internal void Validate()
    {
        UtcGuard.Require(From, nameof(From));
        UtcGuard.Require(To, nameof(To));
        if (To <= From)
        {
            throw new ArgumentException($"SeriesRequest.To ({To:O}) must be after From ({From:O}).", nameof(To));
        }

        if (!Enum.IsDefined(Granularity))
        {
            throw new ArgumentOutOfRangeException(nameof(Granularity), Granularity, "Unknown granularity.");
        }

        // A zero-filled hourly series over years would be millions of points: refuse it instead of allocating them.
        if (FillEmpty && (To - From).TotalHours / Granularity switch { BucketSize.Hour => 1, BucketSize.Day => 24, _ => 24 * 28 } > MaxFilledPoints)
        {
            throw new ArgumentException($"SeriesRequest: more than {MaxFilledPoints} {Granularity} periods to fill; use a coarser granularity or a shorter range.", nameof(FillEmpty));
        }
    }

    /// <summary>The most points a zero-filled series may have.</summary>
    public const int MaxFilledPoints = 100_000;
}

using StatsCache.Policy;

namespace StatsCache;

/// <summary>A trend series query: the periods of <see cref="Granularity"/> in [<see cref="From"/>, <see cref="To"/>).</summary>
public sealed record SeriesRequest
{
    /// <summary>Inclusive start (UTC).</summary>
    public required DateTime From { get; init; }

    /// <summary>Exclusive end (UTC); after <see cref="From"/>.</summary>
    public required DateTime To { get; init; }

    /// <summary>The period wanted: hour, day or month.</summary>
    public required BucketSize Granularity { get; init; }

    /// <summary>
    /// Also return zero points for periods without activity (for charts). Zero points are only made
    /// where the cache keeps that resolution, never inside a range it keeps coarser.
    /// </summary>
    public bool FillEmpty { get; init; }

    /// <summary>Checks the request; a caller's mistake is an <see cref="ArgumentException"/> naming it.</summary>
    /// <param name="series">How many series the request fills (one per distinct experiment).</param>
    internal void Validate(int series = 1)
    {
#pragma warning disable CA2208 // The names are the request's properties: what the caller set wrong.
        UtcGuard.Require(From, nameof(From));
        UtcGuard.Require(To, nameof(To));
        if (To <= From)
        {
            throw new ArgumentException($"SeriesRequest.To ({To:O}) must be after From ({From:O}).", nameof(To));
        }

        RequestBounds.Require(From, nameof(From), RequestBounds.LatestSeriesTo, "2100-01-01");
        RequestBounds.Require(To, nameof(To), RequestBounds.LatestSeriesTo, "2100-01-01");
        if (!Enum.IsDefined(Granularity))
        {
            throw new ArgumentOutOfRangeException(nameof(Granularity), Granularity, "Unknown granularity.");
        }

        // A zero-filled hourly series over years would be millions of points: refuse it instead of allocating them.
        var periods = Math.Ceiling((To - From).TotalHours / Granularity switch { BucketSize.Hour => 1, BucketSize.Day => 24, _ => 24 * 28 });
        if (FillEmpty && periods * Math.Max(series, 1) > MaxFilledPoints)
        {
            throw new ArgumentException(
                $"SeriesRequest: filling {periods:0} {Granularity} periods for {Math.Max(series, 1)} experiment(s) could make more than {MaxFilledPoints} points; " +
                "use a coarser granularity, a shorter range or fewer experiments per call.",
                nameof(FillEmpty));
        }
#pragma warning restore CA2208
    }

    /// <summary>The most points a zero-filled request may make, over all its experiments (a month counts as 28 days).</summary>
    public const int MaxFilledPoints = 100_000;
}

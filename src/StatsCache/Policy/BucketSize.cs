namespace StatsCache;

/// <summary>The span of time one statistics bucket covers.</summary>
/// <remarks>Stored as a small integer; the order matters (a larger value is a coarser bucket).</remarks>
public enum BucketSize : short
{
    /// <summary>One UTC hour.</summary>
    Hour = 1,

    /// <summary>One calendar day of the reporting time zone (UTC by default): 23 or 25 hours on a DST change.</summary>
    Day = 2,

    /// <summary>One calendar month of the reporting time zone (UTC by default).</summary>
    Month = 3,
}

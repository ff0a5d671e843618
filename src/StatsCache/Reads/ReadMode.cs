namespace StatsCache;

/// <summary>Where a read takes its numbers from. All three return the same result types.</summary>
public enum ReadMode
{
    /// <summary>
    /// From the buckets and session rows only: as fresh as the last refresh (see
    /// <see cref="CacheStatus.Watermark"/>), and cheapest. A cache that was never built reads as zeros.
    /// </summary>
    Cached = 0,

    /// <summary>
    /// The buckets below the watermark plus the source rows at or after it, aggregated at read time:
    /// exact to the second without waiting for a refresh. The extra cost is bounded by the rows
    /// written since the last refresh (see docs/reading.md for the indexes that keep it so). A cache
    /// that was never built reads everything from the source, so this is also the graceful fallback.
    /// </summary>
    RealTime = 1,

    /// <summary>
    /// Computed from the host's source alone, ignoring the cache, the way a dashboard did it before:
    /// for entities the cache does not cover, or to check it. Its cost grows with the data.
    /// </summary>
    Live = 2,
}

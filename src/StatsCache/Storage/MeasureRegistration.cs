namespace StatsCache.Storage;

/// <summary>
/// A host-declared measure a cache has built: its rows hold the whole history up to the watermark, so reads may
/// serve them. A measure without a registration (declared after the cache was built) is read live until the next
/// maintenance call builds it; a registration whose <see cref="Fingerprint"/> differs from the declared definition is
/// rebuilt. Treat it as read-only.
/// </summary>
public sealed class MeasureRegistration
{
    /// <summary>The cache (<see cref="StatsCache.StatisticsCacheOptions.CacheName"/>).</summary>
    public string CacheName { get; set; } = "";

    /// <summary>The measure's name.</summary>
    public string Measure { get; set; } = "";

    /// <summary>A hash of the aggregate and the source the rows were built from.</summary>
    public string Fingerprint { get; set; } = "";

    /// <summary>When the measure was built.</summary>
    public DateTime BuiltAt { get; set; }
}

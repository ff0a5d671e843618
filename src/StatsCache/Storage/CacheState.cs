namespace StatsCache.Storage;

/// <summary>
/// Bookkeeping of one cache: how far it is built (the watermark), what has been rolled up, and
/// the progress of an unfinished backfill so that a re-run resumes where it stopped.
/// </summary>
/// <typeparam name="TExperimentId">The type of the host's experiment ids (<c>long</c>, <c>int</c> or <c>Guid</c>).</typeparam>
public class CacheState<TExperimentId>
{
    /// <summary>The cache's name (<see cref="StatisticsCacheOptions.CacheName"/>).</summary>
    public string CacheName { get; set; } = "default";

    /// <summary>Every source row created before this instant has been counted (modulo rows committed later than the look-back). Null until the first backfill.</summary>
    public DateTime? Watermark { get; set; }

    /// <summary>Daily buckets start here: everything before it is rolled up into months. Only moves forward.</summary>
    public DateTime? DailyFrom { get; set; }

    /// <summary>Hourly buckets start here: everything before it is rolled up into days or months, and refresh never rewrites it. Only moves forward.</summary>
    public DateTime? HourlyFrom { get; set; }

    /// <summary>Requested start of the unfinished backfill (null: from the first source row).</summary>
    public DateTime? BackfillRequestedFrom { get; set; }

    /// <summary>Experiments of the unfinished backfill (null: all).</summary>
    public TExperimentId[]? BackfillExperiments { get; set; }

    /// <summary>Exclusive end of the unfinished backfill's range.</summary>
    public DateTime? BackfillTo { get; set; }

    /// <summary>The unfinished backfill has committed everything before this instant.</summary>
    public DateTime? BackfillDoneUntil { get; set; }

    /// <summary>
    /// The reporting time zone (IANA id) the cache's day and month buckets were built in; written when
    /// the state row is created. Days rolled up in one zone cannot be split into another's, so maintenance
    /// refuses to run under a different <see cref="StatisticsCacheOptions.TimeZone"/>. Null in rows written
    /// before the option existed: those caches are UTC.
    /// </summary>
    public string? TimeZone { get; set; }

    /// <summary>When the state last changed.</summary>
    public DateTime UpdatedAt { get; set; }
}

/// <summary>The state of a cache whose experiment ids are 64-bit integers: what <c>modelBuilder.UseStatisticsCache()</c> maps.</summary>
public sealed class CacheState : CacheState<long>
{
}

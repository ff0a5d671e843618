namespace StatsCache;

/// <summary>
/// What <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.VerifyAsync"/> compares: the source against the cache over
/// [<see cref="From"/>, <see cref="To"/>), one stored bucket range (month, day or hour) at a time.
/// </summary>
public sealed record VerifyRequest
{
    /// <summary>Inclusive start (UTC), widened to the stored bucket containing it. Null: the earliest source row or stored bucket.</summary>
    public DateTime? From { get; init; }

    /// <summary>
    /// Exclusive end (UTC). Null: the start of the window the next refresh re-reads (the hour of
    /// watermark − <see cref="StatisticsCacheOptions.LookBack"/>); a later end is cut there too,
    /// since rows inside that window are the next refresh's to count.
    /// </summary>
    public DateTime? To { get; init; }

    /// <summary>
    /// Only the last stretch of this length before <see cref="To"/> (it overrides <see cref="From"/>).
    /// <see cref="LastDay"/> is the cheap check a job can run often.
    /// </summary>
    public TimeSpan? Last { get; init; }

    /// <summary>Repair the ranges that differ (through <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.ReconcileAsync"/>'s recompute). Default true; false only reports them.</summary>
    public bool Repair { get; init; } = true;

    /// <summary>Everything up to the watermark (the default request).</summary>
    public static VerifyRequest Everything(bool repair = true) => new() { Repair = repair };

    /// <summary>The last day before the refresh window: a few dozen hourly ranges, index range scans only.</summary>
    public static VerifyRequest LastDay(bool repair = true) => new() { Last = TimeSpan.FromDays(1), Repair = repair };
}

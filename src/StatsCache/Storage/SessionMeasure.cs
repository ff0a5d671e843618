namespace StatsCache.Storage;

/// <summary>
/// One session's total of one host-declared measure: the count or sum over all the session's rows of the measure's
/// source. Sessions without such rows have no row (read as zero). Treat it as read-only.
/// </summary>
/// <typeparam name="TTeamId">The type of the host's team ids (<c>long</c>, <c>int</c> or <c>Guid</c>).</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
/// <typeparam name="TSessionId">The type of the host's session ids.</typeparam>
public class SessionMeasure<TTeamId, TExperimentId, TSessionId>
{
    /// <summary>The team owning the session.</summary>
    public TTeamId TeamId { get; set; } = default!;

    /// <summary>The session.</summary>
    public TSessionId SessionId { get; set; } = default!;

    /// <summary>The measure's name.</summary>
    public string Measure { get; set; } = "";

    /// <summary>The experiment the session's rows belong to.</summary>
    public TExperimentId ExperimentId { get; set; } = default!;

    /// <summary>The count or sum over the session's source rows.</summary>
    public long Value { get; set; }

    /// <summary>Time of the session's last row counted (what mirroring deletions re-reads a range by).</summary>
    public DateTime? LastAt { get; set; }

    /// <summary>When the row was last written.</summary>
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A session measure for a host whose ids are 64-bit integers: what <c>modelBuilder.UseStatisticsCache()</c> maps.</summary>
public sealed class SessionMeasure : SessionMeasure<long, long, long>
{
}

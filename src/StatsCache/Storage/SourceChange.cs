namespace StatsCache.Storage;

/// <summary>
/// A change to a source row older than the refresh window, recorded by the change-tracking triggers
/// (one row per statement and affected team, experiment, session and hour) and consumed by the next
/// refresh, which recomputes what it touched.
/// </summary>
/// <typeparam name="TTeamId">The type of the host's team ids (<c>long</c>, <c>int</c> or <c>Guid</c>).</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
/// <typeparam name="TSessionId">The type of the host's session ids.</typeparam>
public class SourceChange<TTeamId, TExperimentId, TSessionId>
    where TTeamId : struct
    where TExperimentId : struct
    where TSessionId : struct
{
    /// <summary>Identity: the refresh consumes changes up to an id, so later ones wait for the next.</summary>
    public long Id { get; set; }

    /// <summary>The cache whose triggers recorded it.</summary>
    public string CacheName { get; set; } = "default";

    /// <summary>The team of the changed row, if the source has one (version tags have none).</summary>
    public TTeamId? TeamId { get; set; }

    /// <summary>The experiment of the changed row, if the source has one.</summary>
    public TExperimentId? ExperimentId { get; set; }

    /// <summary>The session of the changed row.</summary>
    public TSessionId? SessionId { get; set; }

    /// <summary>The hour of the changed row's creation time (its old and its new time for an update).</summary>
    public DateTime ChangedAt { get; set; }
}

/// <summary>A recorded source change for a host whose ids are 64-bit integers: what <c>modelBuilder.UseStatisticsCache()</c> maps.</summary>
public sealed class SourceChange : SourceChange<long, long, long>
{
}

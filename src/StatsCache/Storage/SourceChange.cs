namespace StatsCache.Storage;

/// <summary>
/// A change to a source row older than the refresh window, recorded by the change-tracking triggers
/// (one row per statement and affected team, experiment, session and hour) and consumed by the next
/// refresh, which recomputes what it touched.
/// </summary>
public sealed class SourceChange
{
    /// <summary>Identity: the refresh consumes changes up to an id, so later ones wait for the next.</summary>
    public long Id { get; set; }

    /// <summary>The cache whose triggers recorded it.</summary>
    public string CacheName { get; set; } = "default";

    /// <summary>The team of the changed row, if the source has one (version tags have none).</summary>
    public long? TeamId { get; set; }

    /// <summary>The experiment of the changed row, if the source has one.</summary>
    public long? ExperimentId { get; set; }

    /// <summary>The session of the changed row.</summary>
    public long? SessionId { get; set; }

    /// <summary>The hour of the changed row's creation time (its old and its new time for an update).</summary>
    public DateTime ChangedAt { get; set; }
}

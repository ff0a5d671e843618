namespace StatsCache.Storage;

/// <summary>
/// The cache's state row as maintenance and the reads see it (<see cref="StateStore.ReadRowAsync"/>): the columns of
/// <see cref="CacheState{TExperimentId}"/>, with the backfill's experiments as the typed array the host's experiment
/// key type gives (<c>long[]</c>, <c>int[]</c> or <c>Guid[]</c>), whatever that type is.
/// </summary>
internal sealed class StateRow
{
    /// <summary>The cache's name.</summary>
    public string CacheName { get; init; } = "default";

    /// <summary>See <see cref="CacheState{TExperimentId}.Watermark"/>.</summary>
    public DateTime? Watermark { get; init; }

    /// <summary>See <see cref="CacheState{TExperimentId}.DailyFrom"/>.</summary>
    public DateTime? DailyFrom { get; init; }

    /// <summary>See <see cref="CacheState{TExperimentId}.HourlyFrom"/>.</summary>
    public DateTime? HourlyFrom { get; init; }

    /// <summary>See <see cref="CacheState{TExperimentId}.BackfillRequestedFrom"/>.</summary>
    public DateTime? BackfillRequestedFrom { get; init; }

    /// <summary>Experiments of the unfinished backfill, a typed array of the experiment key type (null: all).</summary>
    public Array? BackfillExperiments { get; init; }

    /// <summary>See <see cref="CacheState{TExperimentId}.BackfillTo"/>.</summary>
    public DateTime? BackfillTo { get; init; }

    /// <summary>See <see cref="CacheState{TExperimentId}.BackfillDoneUntil"/>.</summary>
    public DateTime? BackfillDoneUntil { get; init; }

    /// <summary>See <see cref="CacheState{TExperimentId}.TimeZone"/>.</summary>
    public string? TimeZone { get; init; }
}

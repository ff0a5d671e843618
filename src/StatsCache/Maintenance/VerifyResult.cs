namespace StatsCache;

/// <summary>What a verify found and what it fixed, with the host's team and experiment ids.</summary>
/// <typeparam name="TTeamId">The type of the host's team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
public sealed record VerifyResult<TTeamId, TExperimentId>
    where TTeamId : notnull
    where TExperimentId : notnull
{
    /// <summary>Start of the verified range (aligned to the stored buckets).</summary>
    public required DateTime From { get; init; }

    /// <summary>End of the verified range.</summary>
    public required DateTime To { get; init; }

    /// <summary>Stored bucket ranges compared.</summary>
    public int RangesChecked { get; init; }

    /// <summary>The ranges whose source and cache differed, with the verdict on each.</summary>
    public IReadOnlyList<VerifiedRange> Ranges { get; init; } = [];

    /// <summary>Experiments whose statistics the repair changed, before and after (from the reconcile).</summary>
    public IReadOnlyList<ExperimentChange<TTeamId, TExperimentId>> Changes { get; init; } = [];

    /// <summary>Rows the repair wrote.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Wall time.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Ranges that still differ from the source (repair off, or the repair could not make them agree).</summary>
    public IEnumerable<VerifiedRange> Unrepaired => Ranges.Where(r => r.Verdict == RangeVerdict.Drift);

    /// <summary>True when no range is left differing from the source (purged ranges under KeepHistory are not drift).</summary>
    public bool Clean => !Unrepaired.Any();
}

/// <summary>One stored bucket range whose source and cache differed.</summary>
public sealed record VerifiedRange
{
    /// <summary>Start of the range.</summary>
    public required DateTime From { get; init; }

    /// <summary>End of the range.</summary>
    public required DateTime To { get; init; }

    /// <summary>The size of the buckets stored for it.</summary>
    public required BucketSize Size { get; init; }

    /// <summary>The source's counts over the range.</summary>
    public required RangeCounts Source { get; init; }

    /// <summary>The cache's counts before any repair.</summary>
    public required RangeCounts Before { get; init; }

    /// <summary>The cache's counts after the repair; null when nothing was repaired.</summary>
    public RangeCounts? After { get; init; }

    /// <summary>What the difference is and what was done.</summary>
    public required RangeVerdict Verdict { get; init; }
}

/// <summary>Counts of a range: sessions started, human messages, and the last human message.</summary>
public sealed record RangeCounts
{
    /// <summary>Sessions started in the range.</summary>
    public long SessionCount { get; init; }

    /// <summary>Human messages in the range.</summary>
    public long HumanMessageCount { get; init; }

    /// <summary>The latest human message in the range, if any (UTC).</summary>
    public DateTime? LastActivity { get; init; }
}

/// <summary>The verdict on a range that differed.</summary>
public enum RangeVerdict
{
    /// <summary>It differed and the repair made it agree with the source.</summary>
    Repaired,

    /// <summary>It differs and was not repaired (repair off, or the repair failed or could not make it agree): the health check reports it.</summary>
    Drift,

    /// <summary>
    /// Under <see cref="SourceDeletions.KeepHistory"/> the source holds fewer rows than the cache (a
    /// retention purge) and nothing more: history is kept, not lowered. Not drift.
    /// </summary>
    Purged,
}

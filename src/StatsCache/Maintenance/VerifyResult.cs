using StatsCache.Policy;

namespace StatsCache.Maintenance;

/// <summary>What a verify found and what it fixed.</summary>
/// <param name="From">Start of the verified range (aligned to the stored buckets).</param>
/// <param name="To">End of the verified range.</param>
/// <param name="RangesChecked">Stored bucket ranges compared.</param>
/// <param name="Ranges">The ranges whose source and cache differed, with the verdict on each.</param>
/// <param name="Changes">Experiments whose statistics the repair changed, before and after (from the reconcile).</param>
/// <param name="RowsWritten">Rows the repair wrote.</param>
/// <param name="Duration">Wall time.</param>
public sealed record VerifyResult(DateTime From, DateTime To, int RangesChecked, IReadOnlyList<VerifiedRange> Ranges, IReadOnlyList<ExperimentChange> Changes, long RowsWritten, TimeSpan Duration)
{
    /// <summary>Ranges that still differ from the source (repair off, or the repair could not make them agree).</summary>
    public IEnumerable<VerifiedRange> Unrepaired => Ranges.Where(r => r.Verdict == RangeVerdict.Drift);

    /// <summary>True when no range is left differing from the source (purged ranges under KeepHistory are not drift).</summary>
    public bool Clean => !Unrepaired.Any();
}

/// <summary>One stored bucket range whose source and cache differed.</summary>
/// <param name="From">Start of the range.</param>
/// <param name="To">End of the range.</param>
/// <param name="Size">The size of the buckets stored for it.</param>
/// <param name="Source">The source's counts over the range.</param>
/// <param name="Before">The cache's counts before any repair.</param>
/// <param name="After">The cache's counts after the repair; null when nothing was repaired.</param>
/// <param name="Verdict">What the difference is and what was done.</param>
public sealed record VerifiedRange(DateTime From, DateTime To, BucketSize Size, RangeCounts Source, RangeCounts Before, RangeCounts? After, RangeVerdict Verdict);

/// <summary>Counts of a range: sessions started, human messages, and the last human message.</summary>
/// <param name="Sessions">Sessions started in the range.</param>
/// <param name="HumanMessages">Human messages in the range.</param>
/// <param name="LastActivity">The latest human message in the range.</param>
public sealed record RangeCounts(long Sessions, long HumanMessages, DateTime? LastActivity);

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

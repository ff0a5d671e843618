namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// What a deletion in the host's source means for the statistics, i.e. which live query the
/// cache is compared with: the library's <c>SourceDeletions.KeepHistory</c> or <c>SourceDeletions.Mirror</c>.
/// </summary>
public enum DeletionSemantics
{
    /// <summary>Retention purge: counts never go down; the oracle reads source ∪ archive of purged rows.</summary>
    KeepHistory,

    /// <summary>Privacy erasure: the oracle reads the source alone.</summary>
    Mirror,
}

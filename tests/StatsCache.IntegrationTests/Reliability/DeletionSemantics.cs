namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// What a deletion in the host's source means for the statistics, i.e. which live query the
/// cache is compared with. Only <see cref="KeepHistory"/> exists in the library today; the oracle
/// and the purge step are written against this switch so a mirroring mode can plug in.
/// </summary>
public enum DeletionSemantics
{
    /// <summary>Retention purge: counts never go down; the oracle reads source ∪ archive of purged rows.</summary>
    KeepHistory,

    /// <summary>Privacy erasure (not implemented by the library yet): the oracle reads the source alone.</summary>
    Mirror,
}

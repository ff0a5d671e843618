namespace StatsCache.Policy;

/// <summary>One unit of backfill work: recompute [<paramref name="From"/>, <paramref name="To"/>) into buckets of <paramref name="Size"/>.</summary>
/// <param name="From">Inclusive start, aligned to <paramref name="Size"/>.</param>
/// <param name="To">Exclusive end.</param>
/// <param name="Size">The bucket size the retention policy keeps for this range.</param>
public readonly record struct BackfillChunk(DateTime From, DateTime To, BucketSize Size);

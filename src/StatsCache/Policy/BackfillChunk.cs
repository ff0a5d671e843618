namespace StatsCache.Policy;

/// <summary>One unit of backfill work: recompute [<paramref name="From"/>, <paramref name="To"/>) into buckets of <paramref name="Size"/>.</summary>
/// <param name="From">Inclusive start, aligned to <paramref name="Size"/> (or to an hour, for a piece of a split bucket).</param>
/// <param name="To">Exclusive end.</param>
/// <param name="Size">The bucket size the retention policy keeps for this range.</param>
internal readonly record struct BackfillChunk(DateTime From, DateTime To, BucketSize Size)
{
    /// <summary>
    /// Whether this chunk recomputes buckets (default). A day or month bucket holding more rows than
    /// one transaction should read is split into pieces of whole hours: every piece recomputes the
    /// session rows and first visits of its own hours, and only the last piece recomputes the bucket
    /// — over the whole bucket, from <see cref="BucketsFrom"/> — since a bucket cannot be merged from parts.
    /// </summary>
    public bool WritesBuckets { get; init; } = true;

    /// <summary>Start of the range whose buckets this chunk recomputes: <see cref="From"/>, or the start of the bucket a last piece completes.</summary>
    public DateTime BucketsFrom { get; init; } = From;
}

namespace StatsCache;

/// <summary>One past maintenance run.</summary>
public sealed record RunInfo
{
    /// <summary>
    /// What ran: <c>refresh</c>, <c>compress</c>, <c>backfill</c>, <c>reconcile</c> or <c>verify</c>.
    /// A refresh of a cache never built (or with a full backfill to resume) also records a <c>backfill</c>;
    /// a refresh that applies tracked changes, and a verify that repairs ranges, also record a <c>reconcile</c>.
    /// A verify that left ranges differing is <c>verify drift</c> (the ranges in the detail). A call that
    /// failed is the operation plus <c> failed</c> (e.g. <c>refresh failed</c>, the error in the detail).
    /// </summary>
    public required string Operation { get; init; }

    /// <summary>When it started (UTC).</summary>
    public required DateTime StartedAt { get; init; }

    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Rows it wrote.</summary>
    public long RowsWritten { get; init; }

    /// <summary>A short summary.</summary>
    public string? Detail { get; init; }
}

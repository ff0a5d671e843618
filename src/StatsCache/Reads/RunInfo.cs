namespace StatsCache.Reads;

/// <summary>One past maintenance run.</summary>
/// <param name="Operation">
/// What ran: <c>refresh</c>, <c>compress</c>, <c>backfill</c>, <c>reconcile</c> or <c>verify</c>.
/// A refresh of a cache never built (or with a full backfill to resume) also records a <c>backfill</c>;
/// a refresh that applies tracked changes, and a verify that repairs ranges, also record a <c>reconcile</c>.
/// A verify that left ranges differing is <c>verify drift</c> (the ranges in the detail). A call that
/// failed is the operation plus <c> failed</c> (e.g. <c>refresh failed</c>, the error in the detail).
/// </param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="Duration">How long it took.</param>
/// <param name="RowsWritten">Rows it wrote.</param>
/// <param name="Detail">A short summary.</param>
public sealed record RunInfo(string Operation, DateTime StartedAt, TimeSpan Duration, long RowsWritten, string? Detail);

namespace StatsCache.Reads;

/// <summary>One past maintenance run.</summary>
/// <param name="Operation"><c>refresh</c>, <c>compress</c>, <c>backfill</c>, <c>reconcile</c> or <c>verify</c>; a failed call adds <c> failed</c> (e.g. <c>refresh failed</c>, the error in the detail), a verify that left ranges differing is <c>verify drift</c>.</param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="Duration">How long it took.</param>
/// <param name="RowsWritten">Rows it wrote.</param>
/// <param name="Detail">A short summary.</param>
public sealed record RunInfo(string Operation, DateTime StartedAt, TimeSpan Duration, long RowsWritten, string? Detail);

namespace StatsCache.Reads;

/// <summary>One past maintenance run.</summary>
/// <param name="Operation"><c>refresh</c>, <c>compress</c> or <c>backfill</c>.</param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="Duration">How long it took.</param>
/// <param name="RowsWritten">Rows it wrote.</param>
/// <param name="Detail">A short summary.</param>
public sealed record RunInfo(string Operation, DateTime StartedAt, TimeSpan Duration, long RowsWritten, string? Detail);

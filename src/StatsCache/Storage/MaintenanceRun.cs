namespace StatsCache.Storage;

/// <summary>One past run of a maintenance operation, for admin pages and health checks.</summary>
public sealed class MaintenanceRun
{
    /// <summary>Identity.</summary>
    public long Id { get; set; }

    /// <summary>The cache's name.</summary>
    public string CacheName { get; set; } = "default";

    /// <summary><c>refresh</c>, <c>compress</c>, <c>backfill</c>, <c>reconcile</c> or <c>verify</c>; a failed call adds <c> failed</c> (e.g. <c>refresh failed</c>, the error in the detail), a verify that left ranges differing is <c>verify drift</c>.</summary>
    public string Operation { get; set; } = "";

    /// <summary>When the run started.</summary>
    public DateTime StartedAt { get; set; }

    /// <summary>How long it took, in milliseconds.</summary>
    public double DurationMs { get; set; }

    /// <summary>Rows the run wrote (buckets, session rows and first-seen rows).</summary>
    public long RowsWritten { get; set; }

    /// <summary>A short human-readable summary.</summary>
    public string? Detail { get; set; }
}

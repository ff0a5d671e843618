namespace StatsCache.Hosting;

/// <summary>
/// What the hosted maintenance runs on a schedule, whatever the cache's id types: it only runs the operations
/// (their outcome is logged and recorded in the run history), so it needs no typed facade.
/// </summary>
internal interface IScheduledMaintenance
{
    /// <summary>Runs an incremental refresh.</summary>
    Task RefreshAsync(CancellationToken cancellationToken);

    /// <summary>Rolls old buckets up.</summary>
    Task CompressAsync(CancellationToken cancellationToken);

    /// <summary>Verifies (and repairs) the requested range.</summary>
    Task VerifyAsync(VerifyRequest request, CancellationToken cancellationToken);
}

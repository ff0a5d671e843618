namespace StatsCache;

/// <summary>
/// The schedule of the hosted maintenance service added by <c>AddHostedMaintenance()</c>; bindable from the
/// <c>StatsCache:Maintenance</c> configuration section. Validated when the host starts.
/// </summary>
/// <remarks>
/// One loop runs everything, one operation at a time: a run that takes longer than its interval delays the
/// next one instead of overlapping it. After the start delay the service refreshes (the first refresh
/// builds the cache) and compresses; a verify first runs one <see cref="VerifyInterval"/> after the start.
/// Several app instances may run the service at once: the library serialises maintenance per cache, and
/// an instance that finds the lock taken skips that run.
/// </remarks>
public sealed class HostedMaintenanceOptions
{
    /// <summary>How often <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.RefreshAsync"/> runs. Default 2 minutes; allowed 1 second to 24 hours (the health check degrades after 10 minutes without a refresh).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.CompressAsync"/> runs. Default 1 hour; allowed 1 second to 31 days.</summary>
    public TimeSpan CompressInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.VerifyAsync"/> checks (and repairs) the last day before the refresh window
    /// (<see cref="VerifyRequest.LastDay"/>). Default 1 day; <see langword="null"/> or zero disables it; otherwise allowed 1 minute to 366 days.
    /// </summary>
    public TimeSpan? VerifyInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The first run waits a random time from zero to this, so instances started together do not all contend for the
    /// maintenance lock at once. Default 10 seconds; allowed 0 to 1 hour.
    /// </summary>
    public TimeSpan StartJitter { get; set; } = TimeSpan.FromSeconds(10);
}

namespace StatsCache.Storage;

/// <summary>
/// Totals of one session, one row per session. Sessions are not time-bucketed: measured at the
/// reference size, session buckets barely compress (1.05 rows per session) and a sessions page
/// sorted by last activity would have to sum them per session; one row indexed by
/// (team, experiment, last activity) makes that page an index scan.
/// </summary>
/// <typeparam name="TTeamId">The type of the host's team ids (<c>long</c>, <c>int</c> or <c>Guid</c>).</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
/// <typeparam name="TSessionId">The type of the host's session ids.</typeparam>
public class SessionStatistics<TTeamId, TExperimentId, TSessionId>
{
    /// <summary>The team owning the session.</summary>
    public TTeamId TeamId { get; set; } = default!;

    /// <summary>The experiment the session belongs to.</summary>
    public TExperimentId ExperimentId { get; set; } = default!;

    /// <summary>The session.</summary>
    public TSessionId SessionId { get; set; } = default!;

    /// <summary>Human messages in the session.</summary>
    public long HumanMessageCount { get; set; }

    /// <summary>Time of the session's last human message.</summary>
    public DateTime? LastActivity { get; set; }

    /// <summary>
    /// <see cref="LastActivity"/>, or <see cref="DateTime.MinValue"/> (PostgreSQL's <c>-infinity</c>)
    /// for a session without a human message: the sort key of a sessions page. Order by it descending
    /// to get the newest first with inactive sessions last, served by an index; ordering by the
    /// nullable <see cref="LastActivity"/> would put nulls first (PostgreSQL's default for DESC) and
    /// EF Core cannot say NULLS LAST. Computed by the database.
    /// </summary>
    public DateTime LastActivityOrMinValue { get; set; }

    /// <summary>Distinct version labels the session talked to, in ordinal order.</summary>
    public string[] Versions { get; set; } = [];

    /// <summary>When the row was last written.</summary>
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A session's totals for a host whose ids are 64-bit integers: what <c>modelBuilder.UseStatisticsCache()</c> maps.</summary>
public sealed class SessionStatistics : SessionStatistics<long, long, long>
{
}

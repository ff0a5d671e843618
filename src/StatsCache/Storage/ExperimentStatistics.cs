namespace StatsCache.Storage;

/// <summary>
/// An experiment's totals: one row per experiment, kept exactly equal to the sums over its buckets by
/// every maintenance operation, in the same transaction as the buckets it summarises. A host composes
/// it into its own <c>IQueryable</c> to filter, sort and page its experiments by a statistic in one SQL
/// statement: <c>dbContext.Set&lt;ExperimentStatistics&gt;()</c>, joined on team and experiment id.
/// Experiments with nothing recorded have no row (a LEFT JOIN gives nulls: treat them as zeros).
/// As fresh as the last refresh. Mapped by <c>modelBuilder.UseStatisticsCache()</c> to the table
/// <c>statscache_experiment_totals</c> (unless the host renamed it); treat it as read-only.
/// </summary>
/// <typeparam name="TTeamId">The type of the host's team ids (<c>long</c>, <c>int</c> or <c>Guid</c>).</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
public class ExperimentStatistics<TTeamId, TExperimentId>
{
    /// <summary>The team owning the experiment. Always join on it as well as the experiment id.</summary>
    public TTeamId TeamId { get; set; } = default!;

    /// <summary>The experiment.</summary>
    public TExperimentId ExperimentId { get; set; } = default!;

    /// <summary>Sessions started.</summary>
    public long SessionCount { get; set; }

    /// <summary>Distinct participants (sum of each bucket's first-time participants).</summary>
    public long ParticipantCount { get; set; }

    /// <summary>Human messages.</summary>
    public long HumanMessageCount { get; set; }

    /// <summary>Time of the last human message, if any (UTC).</summary>
    public DateTime? LastActivity { get; set; }

    /// <summary>
    /// <see cref="LastActivity"/>, or <see cref="DateTime.MinValue"/> when there is none: order by it
    /// descending for newest first, inactive last (EF Core cannot say NULLS LAST). Computed by the database.
    /// </summary>
    public DateTime LastActivityOrMinValue { get; set; }

    /// <summary>When the row was last written.</summary>
    public DateTime UpdatedAt { get; set; }
}

/// <summary>An experiment's totals for a host whose ids are 64-bit integers: what <c>modelBuilder.UseStatisticsCache()</c> maps.</summary>
public sealed class ExperimentStatistics : ExperimentStatistics<long, long>
{
}

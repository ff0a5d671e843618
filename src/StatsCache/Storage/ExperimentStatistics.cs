namespace StatsCache.Storage;

/// <summary>
/// An experiment's totals summed over its buckets, as a read-only entity a host composes into its
/// own <c>IQueryable</c> to filter, sort and page its experiments by a statistic in one SQL
/// statement: <c>dbContext.Set&lt;ExperimentStatistics&gt;()</c>, joined on team and experiment id.
/// Experiments with nothing recorded have no row (a LEFT JOIN gives nulls: treat them as zeros).
/// As fresh as the last refresh. Mapped by <c>modelBuilder.UseStatisticsCache()</c> over a query
/// of the bucket table, so it needs no migration.
/// </summary>
public sealed class ExperimentStatistics
{
    /// <summary>The team owning the experiment. Always join on it as well as the experiment id.</summary>
    public long TeamId { get; set; }

    /// <summary>The experiment.</summary>
    public long ExperimentId { get; set; }

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
    /// descending for newest first, inactive last (EF Core cannot say NULLS LAST).
    /// </summary>
    public DateTime LastActivityOrMinValue { get; set; }
}

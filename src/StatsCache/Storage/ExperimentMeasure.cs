namespace StatsCache.Storage;

/// <summary>
/// An experiment's total of one host-declared measure (<see cref="StatsCache.MeasureOptions"/>): one row per experiment
/// and measure, kept equal to the sum over the experiment's measure buckets by every maintenance operation, in the
/// same transaction. A host composes it into its own <c>IQueryable</c> to sort and page its experiments by the
/// measure: <c>dbContext.Set&lt;ExperimentMeasure&gt;().Where(m =&gt; m.Measure == "tokens_used")</c>, joined on team
/// and experiment id (a LEFT JOIN: experiments without a row read as zero). Treat it as read-only.
/// </summary>
/// <typeparam name="TTeamId">The type of the host's team ids (<c>long</c>, <c>int</c> or <c>Guid</c>).</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
public class ExperimentMeasure<TTeamId, TExperimentId>
{
    /// <summary>The team owning the experiment. Always join on it as well as the experiment id.</summary>
    public TTeamId TeamId { get; set; } = default!;

    /// <summary>The experiment.</summary>
    public TExperimentId ExperimentId { get; set; } = default!;

    /// <summary>The measure's name (<see cref="StatsCache.MeasureOptions.Name"/>).</summary>
    public string Measure { get; set; } = "";

    /// <summary>The count or sum over all the experiment's rows of the measure's source.</summary>
    public long Value { get; set; }

    /// <summary>When the row was last written.</summary>
    public DateTime UpdatedAt { get; set; }
}

/// <summary>An experiment's measure total for a host whose ids are 64-bit integers: what <c>modelBuilder.UseStatisticsCache()</c> maps.</summary>
public sealed class ExperimentMeasure : ExperimentMeasure<long, long>
{
}

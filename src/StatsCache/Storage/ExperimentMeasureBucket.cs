namespace StatsCache.Storage;

/// <summary>
/// One time bucket of one experiment's host-declared measure: the count or sum of the measure's source rows whose
/// time falls in [<see cref="Start"/>, start + <see cref="Size"/>). Rolled up like the experiment buckets (hours into
/// days into months), never deleted. Treat it as read-only.
/// </summary>
/// <typeparam name="TTeamId">The type of the host's team ids (<c>long</c>, <c>int</c> or <c>Guid</c>).</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
public class ExperimentMeasureBucket<TTeamId, TExperimentId>
{
    /// <summary>The team owning the experiment.</summary>
    public TTeamId TeamId { get; set; } = default!;

    /// <summary>The experiment.</summary>
    public TExperimentId ExperimentId { get; set; } = default!;

    /// <summary>The measure's name.</summary>
    public string Measure { get; set; } = "";

    /// <summary>The bucket's size.</summary>
    public BucketSize Size { get; set; }

    /// <summary>Start of the bucket (UTC).</summary>
    public DateTime Start { get; set; }

    /// <summary>The count or sum over the bucket's source rows.</summary>
    public long Value { get; set; }

    /// <summary>When the row was last written.</summary>
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A measure bucket for a host whose ids are 64-bit integers: what <c>modelBuilder.UseStatisticsCache()</c> maps.</summary>
public sealed class ExperimentMeasureBucket : ExperimentMeasureBucket<long, long>
{
}

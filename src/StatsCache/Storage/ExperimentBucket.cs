namespace StatsCache.Storage;

/// <summary>
/// Pre-aggregated statistics of one experiment over one time bucket. An experiment's totals are
/// the sums over its buckets (and the max of <see cref="LastActivity"/>); buckets never overlap.
/// The bucket's end is not stored: it follows from <see cref="Start"/> and <see cref="Size"/>.
/// </summary>
/// <typeparam name="TTeamId">The type of the host's team ids (<c>long</c>, <c>int</c> or <c>Guid</c>).</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
public class ExperimentBucket<TTeamId, TExperimentId>
{
    /// <summary>The team owning the experiment. Every read is scoped to it.</summary>
    public TTeamId TeamId { get; set; } = default!;

    /// <summary>The experiment (chatbot).</summary>
    public TExperimentId ExperimentId { get; set; } = default!;

    /// <summary>The span this bucket covers.</summary>
    public BucketSize Size { get; set; }

    /// <summary>Inclusive start of the bucket (UTC).</summary>
    public DateTime Start { get; set; }

    /// <summary>Sessions created in the bucket.</summary>
    public int SessionCount { get; set; }

    /// <summary>
    /// Participants whose first session with this experiment was created in the bucket. Summing it
    /// over all buckets gives the distinct participants, without double counting.
    /// </summary>
    public int NewParticipantCount { get; set; }

    /// <summary>Human messages sent in the bucket.</summary>
    public long HumanMessageCount { get; set; }

    /// <summary>Time of the last human message in the bucket, if any.</summary>
    public DateTime? LastActivity { get; set; }

    /// <summary>When the bucket was last written.</summary>
    public DateTime UpdatedAt { get; set; }
}

/// <summary>An experiment bucket of a host whose ids are 64-bit integers: what <c>modelBuilder.UseStatisticsCache()</c> maps.</summary>
public sealed class ExperimentBucket : ExperimentBucket<long, long>
{
}

namespace StatsCache;

/// <summary>The statistics of one stored bucket of an experiment, for admin and "show" views.</summary>
public sealed record BucketStats
{
    /// <summary>Bucket size.</summary>
    public required BucketSize Size { get; init; }

    /// <summary>Inclusive start (UTC).</summary>
    public required DateTime Start { get; init; }

    /// <summary>Exclusive end (UTC), derived from size and start.</summary>
    public required DateTime End { get; init; }

    /// <summary>Sessions created in the bucket.</summary>
    public long SessionCount { get; init; }

    /// <summary>Participants first seen in the bucket.</summary>
    public long NewParticipantCount { get; init; }

    /// <summary>Human messages in the bucket.</summary>
    public long HumanMessageCount { get; init; }

    /// <summary>Last human message in the bucket, if any (UTC).</summary>
    public DateTime? LastActivity { get; init; }

    /// <summary>When the bucket was last written.</summary>
    public DateTime UpdatedAt { get; init; }
}

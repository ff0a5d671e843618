using StatsCache.Policy;

namespace StatsCache.Reads;

/// <summary>One stored bucket of an experiment, for admin and "show" views.</summary>
/// <param name="Size">Bucket size.</param>
/// <param name="Start">Inclusive start (UTC).</param>
/// <param name="End">Exclusive end (UTC), derived from size and start.</param>
/// <param name="Sessions">Sessions created in the bucket.</param>
/// <param name="NewParticipants">Participants first seen in the bucket.</param>
/// <param name="HumanMessages">Human messages in the bucket.</param>
/// <param name="LastActivity">Last human message in the bucket.</param>
/// <param name="UpdatedAt">When the bucket was last written.</param>
public sealed record BucketRow(BucketSize Size, DateTime Start, DateTime End, long Sessions, long NewParticipants, long HumanMessages, DateTime? LastActivity, DateTime UpdatedAt);

namespace StatsCache.Storage;

/// <summary>
/// When a participant's first session with an experiment started. This is what keeps the
/// distinct-participant count exact and cheap: a refresh looks up the participants it sees in
/// this table (a keyed lookup instead of a correlated NOT EXISTS over all sessions, which plans
/// 25–30× slower), and a late session that predates a known first session moves the participant
/// from one bucket's <see cref="ExperimentBucket.NewParticipantCount"/> to another's. It also keeps
/// that count right when the host purges old sessions for retention.
/// </summary>
public sealed class ParticipantFirstSeen
{
    /// <summary>The team owning the experiment.</summary>
    public long TeamId { get; set; }

    /// <summary>The experiment.</summary>
    public long ExperimentId { get; set; }

    /// <summary>The participant.</summary>
    public long ParticipantId { get; set; }

    /// <summary>Creation time of the participant's first session with the experiment.</summary>
    public DateTime FirstSeenAt { get; set; }
}

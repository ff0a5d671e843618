namespace StatsCache.Storage;

/// <summary>
/// When a participant's first session with an experiment started. This is what keeps the
/// distinct-participant count exact and cheap: a refresh looks up the participants it sees in
/// this table (a keyed lookup instead of a correlated NOT EXISTS over all sessions, which plans
/// 25–30× slower), and a late session that predates a known first session moves the participant
/// from one bucket's <see cref="ExperimentBucket{TTeamId, TExperimentId}.NewParticipantCount"/> to another's. It also keeps
/// that count right when the host purges old sessions for retention.
/// </summary>
/// <typeparam name="TTeamId">The type of the host's team ids (<c>long</c>, <c>int</c> or <c>Guid</c>).</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
/// <typeparam name="TParticipantId">The type of the host's participant ids.</typeparam>
public class ParticipantFirstSeen<TTeamId, TExperimentId, TParticipantId>
{
    /// <summary>The team owning the experiment.</summary>
    public TTeamId TeamId { get; set; } = default!;

    /// <summary>The experiment.</summary>
    public TExperimentId ExperimentId { get; set; } = default!;

    /// <summary>The participant.</summary>
    public TParticipantId ParticipantId { get; set; } = default!;

    /// <summary>Creation time of the participant's first session with the experiment.</summary>
    public DateTime FirstSeenAt { get; set; }
}

/// <summary>A participant's first session for a host whose ids are 64-bit integers: what <c>modelBuilder.UseStatisticsCache()</c> maps.</summary>
public sealed class ParticipantFirstSeen : ParticipantFirstSeen<long, long, long>
{
}

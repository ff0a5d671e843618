namespace StatsCache.TestSupport.Host;

/// <summary>
/// The host's rows of HostEntities.cs with the host's own key types (<c>long</c>, <c>int</c> or
/// <c>Guid</c> per kind of id): the model of <see cref="KeyedHostDbContext{TTeamId, TExperimentId, TSessionId, TParticipantId}"/>.
/// Message and version ids are the host's own row ids, not keys the cache stores: they stay <c>long</c>.
/// </summary>
public sealed class ChatSession<TTeamId, TExperimentId, TSessionId, TParticipantId>
    where TTeamId : struct
    where TExperimentId : struct
    where TSessionId : struct
    where TParticipantId : struct
{
    public TSessionId Id { get; set; }
    public TTeamId TeamId { get; set; }
    public TExperimentId ExperimentId { get; set; }
    public TParticipantId? ParticipantId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A host's message row with the host's key types; only human ones count.</summary>
public sealed class ChatMessage<TTeamId, TExperimentId, TSessionId>
    where TTeamId : struct
    where TExperimentId : struct
    where TSessionId : struct
{
    public long Id { get; set; }
    public TTeamId TeamId { get; set; }
    public TExperimentId ExperimentId { get; set; }
    public TSessionId SessionId { get; set; }
    public bool IsHuman { get; set; }
    public int? Tokens { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A version label a message was answered by, with the host's key types.</summary>
public sealed class MessageVersion<TTeamId, TSessionId>
    where TTeamId : struct
    where TSessionId : struct
{
    public long Id { get; set; }

    /// <summary>Only in the <see cref="HostShape.TeamScopedIds"/> shape.</summary>
    public TTeamId TeamId { get; set; }

    public TSessionId SessionId { get; set; }
    public string Label { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>A host's chatbot row with the host's key types.</summary>
public sealed class Experiment<TTeamId, TExperimentId>
    where TTeamId : struct
    where TExperimentId : struct
{
    public TExperimentId Id { get; set; }
    public TTeamId TeamId { get; set; }
    public string Name { get; set; } = "";
}

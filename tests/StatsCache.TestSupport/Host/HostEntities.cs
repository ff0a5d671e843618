namespace StatsCache.TestSupport.Host;

/// <summary>A host's session row, Open-Chat-Studio style.</summary>
public sealed class ChatSession
{
    public long Id { get; set; }
    public long TeamId { get; set; }
    public long ExperimentId { get; set; }
    public long? ParticipantId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A host's message row; only human ones count in the built-in statistics (the host's measures count the others and sum tokens).</summary>
public sealed class ChatMessage
{
    public long Id { get; set; }
    public long TeamId { get; set; }
    public long ExperimentId { get; set; }
    public long SessionId { get; set; }
    public bool IsHuman { get; set; }

    /// <summary>Tokens the message used (the host's <c>tokens_used</c> measure sums them); null when unknown.</summary>
    public int? Tokens { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A version label a message was answered by.</summary>
public sealed class MessageVersion
{
    public long Id { get; set; }

    /// <summary>Only in the <see cref="HostShape.TeamScopedIds"/> shape (ignored by <see cref="HostDbContext"/>).</summary>
    public long TeamId { get; set; }

    /// <summary>The tagged message: only in the benchmark's workload schema (ignored by the test hosts' contexts).</summary>
    public long MessageId { get; set; }

    public long SessionId { get; set; }
    public string Label { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>A host's chatbot row: what a chatbots list page pages through.</summary>
public sealed class Experiment
{
    public long Id { get; set; }
    public long TeamId { get; set; }
    public string Name { get; set; } = "";
}

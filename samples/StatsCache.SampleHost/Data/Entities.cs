namespace StatsCache.SampleHost.Data;

// The host's own schema, shaped like Open Chat Studio's: teams own chatbots ("experiments"),
// an experiment has sessions, a session belongs to (at most) one participant and holds messages.
// The statistics cache only reads these tables.

public sealed class Team
{
    public long Id { get; set; }

    public string Name { get; set; } = "";
}

public sealed class Experiment
{
    public long Id { get; set; }

    public long TeamId { get; set; }

    public string Name { get; set; } = "";
}

public sealed class Participant
{
    public long Id { get; set; }

    public long TeamId { get; set; }

    public string Identifier { get; set; } = "";
}

public sealed class ExperimentSession
{
    public long Id { get; set; }

    public long TeamId { get; set; }

    public long ExperimentId { get; set; }

    /// <summary>Null for anonymous sessions.</summary>
    public long? ParticipantId { get; set; }

    /// <summary>UTC (timestamptz).</summary>
    public DateTime CreatedAt { get; set; }
}

public sealed class ChatMessage
{
    public long Id { get; set; }

    public long TeamId { get; set; }

    public long ExperimentId { get; set; }

    public long SessionId { get; set; }

    public bool IsHuman { get; set; }

    /// <summary>UTC (timestamptz).</summary>
    public DateTime CreatedAt { get; set; }
}

/// <summary>The chatbot version a message was answered by.</summary>
public sealed class MessageVersion
{
    public long Id { get; set; }

    public long MessageId { get; set; }

    public long SessionId { get; set; }

    public string Version { get; set; } = "";

    /// <summary>
    /// When the tagged message was sent (UTC, timestamptz), copied from the message: the cache reads
    /// version rows by time, so that a refresh also notices versions tagged after the fact.
    /// </summary>
    public DateTime CreatedAt { get; set; }
}

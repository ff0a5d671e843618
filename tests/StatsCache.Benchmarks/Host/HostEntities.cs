namespace StatsCache.Benchmarks.Host;

// The host's schema, Open-Chat-Studio-like (as in the sample): teams own chatbots ("experiments"),
// an experiment has sessions, a session belongs to (at most) one participant and holds messages.
// The tables are created by WorkloadSchema (so the bulk load runs before the indexes exist); these
// entities only map them for the host's LINQ and for the cache's entity-mapped sources.

public sealed class Experiment
{
    public long Id { get; set; }

    public long TeamId { get; set; }

    public string Name { get; set; } = "";
}

public sealed class ChatSession
{
    public long Id { get; set; }

    public long TeamId { get; set; }

    public long ExperimentId { get; set; }

    public long? ParticipantId { get; set; }

    public DateTime CreatedAt { get; set; }
}

public sealed class MessageVersion
{
    public long Id { get; set; }

    public long MessageId { get; set; }

    public long SessionId { get; set; }

    public string Version { get; set; } = "";

    public DateTime CreatedAt { get; set; }
}

namespace StatsCache;

/// <summary>
/// The types of the host's ids, one per kind. Leave a kind unset (null) to take it from the host's EF
/// model (the mapped source property, or the cache's own entities mapped by
/// <c>UseStatisticsCache&lt;…&gt;()</c>), else <see cref="KeyType.Int64"/>. A declared type that the EF
/// model contradicts fails at start-up, naming both.
/// </summary>
public sealed class KeyTypeOptions
{
    /// <summary>Type of team ids; null: from the EF model, else <see cref="KeyType.Int64"/>.</summary>
    public KeyType? TeamId { get; set; }

    /// <summary>Type of experiment ids; null: from the EF model, else <see cref="KeyType.Int64"/>.</summary>
    public KeyType? ExperimentId { get; set; }

    /// <summary>Type of session ids; null: from the EF model, else <see cref="KeyType.Int64"/>.</summary>
    public KeyType? SessionId { get; set; }

    /// <summary>Type of participant ids; null: from the EF model, else <see cref="KeyType.Int64"/>.</summary>
    public KeyType? ParticipantId { get; set; }
}

namespace StatsCache;

/// <summary>
/// The host's sessions: one row per session. Canonical columns (for <see cref="SourceOptions.Sql"/>):
/// <c>team_id</c>, <c>experiment_id</c>, <c>session_id</c>, <c>participant_id</c> (nullable), <c>created_at</c> (timestamptz).
/// </summary>
/// <remarks>Keep an index on <see cref="CreatedAtColumn"/>: refresh reads sessions by creation time.</remarks>
public sealed class SessionSourceOptions : SourceOptions
{
    /// <summary>Column holding the owning team's id. Default <c>team_id</c>.</summary>
    public string TeamIdColumn { get; set; } = "team_id";

    /// <summary>Column holding the experiment (chatbot) id. Default <c>experiment_id</c>.</summary>
    public string ExperimentIdColumn { get; set; } = "experiment_id";

    /// <summary>Column holding the session id. Default <c>session_id</c>.</summary>
    public string SessionIdColumn { get; set; } = "session_id";

    /// <summary>Column holding the participant id; may hold nulls (anonymous sessions are not participants). Default <c>participant_id</c>.</summary>
    public string ParticipantIdColumn { get; set; } = "participant_id";

    /// <summary>Column holding when the session started (timestamptz). Default <c>created_at</c>.</summary>
    public string CreatedAtColumn { get; set; } = "created_at";

    internal override IReadOnlyList<(string Canonical, string Column)> ColumnMap() =>
    [
        ("team_id", TeamIdColumn),
        ("experiment_id", ExperimentIdColumn),
        ("session_id", SessionIdColumn),
        ("participant_id", ParticipantIdColumn),
        ("created_at", CreatedAtColumn),
    ];
}

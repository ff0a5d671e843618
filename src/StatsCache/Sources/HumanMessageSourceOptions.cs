namespace StatsCache;

/// <summary>
/// The host's human messages (only the ones that count: filter bot messages out with a view or
/// <see cref="SourceOptions.Sql"/>). Canonical columns: <c>team_id</c>, <c>experiment_id</c>,
/// <c>session_id</c>, <c>created_at</c> (timestamptz).
/// </summary>
/// <remarks>Keep indexes on <see cref="CreatedAtColumn"/> and on (<see cref="SessionIdColumn"/>, <see cref="CreatedAtColumn"/>).</remarks>
public sealed class HumanMessageSourceOptions : SourceOptions
{
    /// <summary>Column holding the owning team's id. Default <c>team_id</c>.</summary>
    public string TeamIdColumn { get; set; } = "team_id";

    /// <summary>Column holding the experiment id. Default <c>experiment_id</c>.</summary>
    public string ExperimentIdColumn { get; set; } = "experiment_id";

    /// <summary>Column holding the session id. Default <c>session_id</c>.</summary>
    public string SessionIdColumn { get; set; } = "session_id";

    /// <summary>Column holding when the message was sent (timestamptz). Default <c>created_at</c>.</summary>
    public string CreatedAtColumn { get; set; } = "created_at";

    internal override IReadOnlyList<(string Canonical, string Column)> ColumnMap() =>
    [
        ("team_id", TeamIdColumn),
        ("experiment_id", ExperimentIdColumn),
        ("session_id", SessionIdColumn),
        ("created_at", CreatedAtColumn),
    ];
}

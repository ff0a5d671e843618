namespace StatsCache;

/// <summary>
/// Optional: the chatbot version labels messages were answered by, one row per tagged message.
/// Canonical columns: <c>session_id</c>, <c>version</c> (text), <c>created_at</c> (timestamptz, the
/// tagged message's time), and <c>team_id</c> when <see cref="TeamIdColumn"/> is set. Leave
/// unconfigured and sessions read with no versions.
/// </summary>
/// <remarks>
/// The time lets a refresh notice a version tagged on a bot reply that arrives after the human
/// message it answers. Keep indexes on <see cref="SessionIdColumn"/> and <see cref="CreatedAtColumn"/>.
/// </remarks>
public sealed class VersionSourceOptions : SourceOptions
{
    /// <summary>
    /// Column holding the owning team's id, or <see langword="null"/> (the default) when version tags
    /// carry no team. Without it a tag is matched to its session by session id alone, so the host
    /// declares that session ids are unique across teams. Set it when session ids are unique only
    /// within a team (sessions keyed by team and id): every join between tags and sessions then
    /// includes the team. For a <see cref="SourceOptions.Sql"/> source, set it to <c>team_id</c> and
    /// return that column.
    /// </summary>
    public string? TeamIdColumn { get; set; }

    /// <summary>Column holding the session id. Default <c>session_id</c>.</summary>
    public string SessionIdColumn { get; set; } = "session_id";

    /// <summary>Column holding the version label. Default <c>version</c>.</summary>
    public string VersionColumn { get; set; } = "version";

    /// <summary>Column holding when the tagged message was sent (timestamptz). Default <c>created_at</c>.</summary>
    public string CreatedAtColumn { get; set; } = "created_at";

    /// <summary>Whether tags carry their team (<see cref="TeamIdColumn"/> is set).</summary>
    internal bool HasTeam => TeamIdColumn is not null;

    internal override IReadOnlyList<(string Canonical, string Column)> ColumnMap() => TeamIdColumn is { } team
        ?
        [
            ("team_id", team),
            ("session_id", SessionIdColumn),
            ("version", VersionColumn),
            ("created_at", CreatedAtColumn),
        ]
        :
        [
            ("session_id", SessionIdColumn),
            ("version", VersionColumn),
            ("created_at", CreatedAtColumn),
        ];
}

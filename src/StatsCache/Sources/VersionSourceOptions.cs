namespace StatsCache.Sources;

/// <summary>
/// Optional: the chatbot version labels messages were answered by, one row per tagged message.
/// Canonical columns: <c>session_id</c>, <c>version</c> (text), <c>created_at</c> (timestamptz, the
/// tagged message's time). Leave unconfigured and sessions read with no versions.
/// </summary>
/// <remarks>
/// The time lets a refresh notice a version tagged on a bot reply that arrives after the human
/// message it answers. Keep indexes on <see cref="SessionIdColumn"/> and <see cref="CreatedAtColumn"/>.
/// </remarks>
public sealed class VersionSourceOptions : SourceOptions
{
    /// <summary>Column holding the session id. Default <c>session_id</c>.</summary>
    public string SessionIdColumn { get; set; } = "session_id";

    /// <summary>Column holding the version label. Default <c>version</c>.</summary>
    public string VersionColumn { get; set; } = "version";

    /// <summary>Column holding when the tagged message was sent (timestamptz). Default <c>created_at</c>.</summary>
    public string CreatedAtColumn { get; set; } = "created_at";

    internal override IReadOnlyList<(string Canonical, string Column)> ColumnMap() =>
    [
        ("session_id", SessionIdColumn),
        ("version", VersionColumn),
        ("created_at", CreatedAtColumn),
    ];
}

namespace StatsCache.Sources;

/// <summary>
/// Optional: the chatbot version labels messages were answered by. Canonical columns:
/// <c>session_id</c>, <c>version</c> (text). Leave unconfigured and sessions read with no versions.
/// </summary>
/// <remarks>Keep an index on <see cref="SessionIdColumn"/>: refresh reads versions of the sessions it touches.</remarks>
public sealed class VersionSourceOptions : SourceOptions
{
    /// <summary>Column holding the session id. Default <c>session_id</c>.</summary>
    public string SessionIdColumn { get; set; } = "session_id";

    /// <summary>Column holding the version label. Default <c>version</c>.</summary>
    public string VersionColumn { get; set; } = "version";

    internal override IReadOnlyList<(string Canonical, string Column)> ColumnMap() =>
    [
        ("session_id", SessionIdColumn),
        ("version", VersionColumn),
    ];
}

namespace StatsCache.Sources;

/// <summary>
/// The type a source gives one of its id columns, read from its EF mapping (the property's CLR type) or its LINQ
/// query (the projected member's type): what start-up resolves the cache's key types from and checks them against.
/// </summary>
/// <param name="Canonical">The canonical column: <c>team_id</c>, <c>experiment_id</c>, <c>session_id</c> or <c>participant_id</c>.</param>
/// <param name="Type">Its key type (a <c>short</c> property is <see cref="KeyType.Int32"/>: it widens to integer and bigint).</param>
/// <param name="Where">How messages name it: <c>MapSessions: Session.TeamId (column "team_id", uuid)</c>.</param>
internal sealed record SourceKey(string Canonical, KeyType Type, string Where)
{
    /// <summary>The id columns, canonical name to the <see cref="KeyTypeOptions"/> member that declares their type.</summary>
    public static IReadOnlyDictionary<string, string> Kinds { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["team_id"] = nameof(KeyTypeOptions.TeamId),
        ["experiment_id"] = nameof(KeyTypeOptions.ExperimentId),
        ["session_id"] = nameof(KeyTypeOptions.SessionId),
        ["participant_id"] = nameof(KeyTypeOptions.ParticipantId),
    };

    /// <summary>The key type of an id member of CLR type <paramref name="clr"/> (nullable or not), or null when ids cannot be of it.</summary>
    public static KeyType? Of(Type clr)
    {
        var type = Nullable.GetUnderlyingType(clr) ?? clr;
        return type == typeof(short) ? KeyType.Int32 : Policy.CacheKeys.Of(type);
    }
}

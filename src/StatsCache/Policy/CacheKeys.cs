namespace StatsCache.Policy;

/// <summary>
/// The resolved types of the host's ids, one per kind: declared in <see cref="StatisticsCacheOptions.Keys"/>,
/// else taken from the EF model, else <see cref="KeyType.Int64"/>. Resolved once at start-up.
/// </summary>
internal sealed record CacheKeys(KeyType Team, KeyType Experiment, KeyType Session, KeyType Participant)
{
    /// <summary>Every kind a 64-bit integer: the default, and what the non-generic <see cref="IStatisticsCache"/> reads.</summary>
    public static CacheKeys Int64 { get; } = new(KeyType.Int64, KeyType.Int64, KeyType.Int64, KeyType.Int64);

    /// <summary>The declared types of <paramref name="keys"/>, <see cref="KeyType.Int64"/> for a kind left unset.</summary>
    public static CacheKeys Declared(KeyTypeOptions keys) => new(
        keys.TeamId ?? KeyType.Int64,
        keys.ExperimentId ?? KeyType.Int64,
        keys.SessionId ?? KeyType.Int64,
        keys.ParticipantId ?? KeyType.Int64);

    /// <summary>The CLR type of <paramref name="type"/>'s ids.</summary>
    public static Type ClrType(KeyType type) => type switch
    {
        KeyType.Int64 => typeof(long),
        KeyType.Int32 => typeof(int),
        KeyType.Guid => typeof(Guid),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "StatsCache: unknown key type."),
    };

    /// <summary>The PostgreSQL type of <paramref name="type"/>'s ids, as written in DDL and casts.</summary>
    public static string SqlType(KeyType type) => type switch
    {
        KeyType.Int64 => "bigint",
        KeyType.Int32 => "integer",
        KeyType.Guid => "uuid",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "StatsCache: unknown key type."),
    };

    /// <summary>The key type of CLR type <paramref name="clr"/>, or null when it is not one StatsCache stores.</summary>
    public static KeyType? Of(Type clr) =>
        (Nullable.GetUnderlyingType(clr) ?? clr) switch
        {
            var t when t == typeof(long) => KeyType.Int64,
            var t when t == typeof(int) => KeyType.Int32,
            var t when t == typeof(Guid) => KeyType.Guid,
            _ => null,
        };
}

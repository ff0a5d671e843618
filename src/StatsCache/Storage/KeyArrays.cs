using Npgsql;
using NpgsqlTypes;

namespace StatsCache.Storage;

/// <summary>
/// Parameters holding the host's ids: a typed array (<c>long[]</c>, <c>int[]</c> or <c>Guid[]</c>) is sent as
/// <c>bigint[]</c>, <c>integer[]</c> or <c>uuid[]</c>, so the statements compare it with our columns and the host's
/// without a cast. A null array (the parameter has no value) is typed by the kind's <see cref="KeyType"/>.
/// </summary>
internal static class KeyArrays
{
    /// <summary>The PostgreSQL array type of ids of <paramref name="type"/>.</summary>
    public static NpgsqlDbType ArrayOf(KeyType type) => NpgsqlDbType.Array | type switch
    {
        KeyType.Int64 => NpgsqlDbType.Bigint,
        KeyType.Int32 => NpgsqlDbType.Integer,
        KeyType.Guid => NpgsqlDbType.Uuid,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "StatsCache: unknown key type."),
    };

    /// <summary>The key type of a typed id array's elements.</summary>
    /// <exception cref="ArgumentException">The array holds another element type.</exception>
    public static KeyType TypeOf(Array ids) =>
        Policy.CacheKeys.Of(ids.GetType().GetElementType()!)
        ?? throw new ArgumentException($"StatsCache: an id array of {ids.GetType().GetElementType()!.Name}; ids are long, int or Guid.", nameof(ids));

    /// <summary>A parameter holding <paramref name="ids"/>, or SQL NULL of the array type of <paramref name="type"/>.</summary>
    public static NpgsqlParameter Parameter(string name, Array? ids, KeyType type) =>
        new(name, ArrayOf(ids is null ? type : TypeOf(ids))) { Value = (object?)ids ?? DBNull.Value };

    /// <summary>A parameter holding <paramref name="ids"/> (not null), typed by its element type.</summary>
    public static NpgsqlParameter Parameter(string name, Array ids) => new(name, ArrayOf(TypeOf(ids))) { Value = ids };

    /// <summary>Whether two typed id arrays hold the same ids in the same order (both null counts as the same).</summary>
    public static bool SameIds(Array? a, Array? b) =>
        a is null ? b is null : b is not null && System.Collections.StructuralComparisons.StructuralEqualityComparer.Equals(a, b);
}

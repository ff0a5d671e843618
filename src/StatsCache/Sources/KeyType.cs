namespace StatsCache;

/// <summary>
/// The type of one kind of the host's ids (team, experiment, session, participant): the cache stores
/// and reads them in this type, so they join the host's columns without casts.
/// </summary>
#pragma warning disable CA1720 // The members are named after the CLR types on purpose: configuration says "Keys:TeamId": "Guid".
public enum KeyType
{
    /// <summary>64-bit integers (<c>long</c>, PostgreSQL <c>bigint</c>): the default.</summary>
    Int64 = 0,

    /// <summary>32-bit integers (<c>int</c>, PostgreSQL <c>integer</c>).</summary>
    Int32 = 1,

    /// <summary>UUIDs (<c>Guid</c>, PostgreSQL <c>uuid</c>).</summary>
    Guid = 2,
}
#pragma warning restore CA1720

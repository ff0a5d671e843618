using System.Buffers.Binary;
using Npgsql;

namespace StatsCache.TestSupport.Host;

/// <summary>The four kinds of id the cache keys by; each may have a type of its own.</summary>
public enum KeyKind
{
    Team,
    Experiment,
    Session,
    Participant,
}

/// <summary>
/// How one kind of the host's ids is stored. The harness numbers every id with a <c>long</c> (its random
/// histories, logs and expectations stay as they are); a codec maps that number to the host's type at the
/// boundary: when rows are written to the host's tables, when the cache is read, and when the live SQL's
/// ids are read back for comparison. Encoding is deterministic and reversible, so results compare per id.
/// </summary>
public abstract class KeyCodec
{
    /// <summary>The kind of id this codec maps.</summary>
    public abstract KeyKind Kind { get; }

    /// <summary>The host's type of these ids.</summary>
    public abstract KeyType Type { get; }

    /// <summary>The CLR type of these ids (<c>long</c>, <c>int</c> or <c>Guid</c>).</summary>
    public abstract Type ClrType { get; }

    /// <summary>The PostgreSQL column type of these ids.</summary>
    public string SqlType => Type switch
    {
        KeyType.Int64 => "bigint",
        KeyType.Int32 => "integer",
        KeyType.Guid => "uuid",
        _ => throw new ArgumentOutOfRangeException(nameof(Type), Type, "unknown key type"),
    };

    /// <summary>The host's value of the harness's id <paramref name="id"/>, boxed (an Npgsql parameter value).</summary>
    public abstract object Box(long id);

    /// <summary>A typed array (<c>long[]</c>, <c>int[]</c> or <c>Guid[]</c>) of the host's values: an array parameter.</summary>
    public abstract Array BoxMany(IEnumerable<long> ids);

    /// <summary>The harness's id of the host's value in column <paramref name="ordinal"/>.</summary>
    public abstract long Read(NpgsqlDataReader reader, int ordinal);

    /// <summary>The codec of <paramref name="type"/> for ids of <paramref name="kind"/>.</summary>
    public static KeyCodec Of(KeyType type, KeyKind kind) => type switch
    {
        KeyType.Int64 => new Int64KeyCodec(kind),
        KeyType.Int32 => new Int32KeyCodec(kind),
        KeyType.Guid => new GuidKeyCodec(kind),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown key type"),
    };

    public override string ToString() => $"{Kind} {Type}";
}

/// <summary>A codec with its CLR type: what the typed reads of the cache take and return.</summary>
public abstract class KeyCodec<T> : KeyCodec
    where T : struct
{
    public override Type ClrType => typeof(T);

    /// <summary>The host's value of the harness's id <paramref name="id"/>.</summary>
    public abstract T Encode(long id);

    /// <summary>The harness's id of the host's value <paramref name="value"/>; throws for a value the harness never wrote.</summary>
    public abstract long Decode(T value);

    public override object Box(long id) => Encode(id);

    public override Array BoxMany(IEnumerable<long> ids) => ids.Select(Encode).ToArray();

    public override long Read(NpgsqlDataReader reader, int ordinal) => Decode(reader.GetFieldValue<T>(ordinal));
}

/// <summary>bigint: the id itself.</summary>
public sealed class Int64KeyCodec(KeyKind kind) : KeyCodec<long>
{
    public override KeyKind Kind => kind;

    public override KeyType Type => KeyType.Int64;

    public override long Encode(long id) => id;

    public override long Decode(long value) => value;
}

/// <summary>integer: a checked cast (the harness's ids are small).</summary>
public sealed class Int32KeyCodec(KeyKind kind) : KeyCodec<int>
{
    public override KeyKind Kind => kind;

    public override KeyType Type => KeyType.Int32;

    public override int Encode(long id) => checked((int)id);

    public override long Decode(int value) => value;
}

/// <summary>
/// uuid: the id in the low 8 bytes (big-endian, so the text ends in its hex digits) behind a prefix per
/// kind: session 42 is <c>5e550000-0000-0000-0000-00000000002a</c>, experiment 42
/// <c>e1000000-0000-0000-0000-00000000002a</c>. Unlike numbers, ids of different kinds never coincide,
/// so a join or a parameter on the wrong kind of id finds nothing instead of another row.
/// </summary>
public sealed class GuidKeyCodec(KeyKind kind) : KeyCodec<Guid>
{
    private readonly uint _prefix = kind switch
    {
        KeyKind.Team => 0x7ea30000u,
        KeyKind.Experiment => 0xe1000000u,
        KeyKind.Session => 0x5e550000u,
        KeyKind.Participant => 0xa2700000u,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown kind"),
    };

    public override KeyKind Kind => kind;

    public override KeyType Type => KeyType.Guid;

    public override Guid Encode(long id)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, _prefix);
        bytes[4..8].Clear();
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], id);
        return new Guid(bytes, bigEndian: true);
    }

    public override long Decode(Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes, bigEndian: true, out _);
        if (BinaryPrimitives.ReadUInt32BigEndian(bytes) != _prefix || BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]) != 0)
        {
            throw new InvalidOperationException($"{value} is not a {kind} id the harness wrote");
        }

        return BinaryPrimitives.ReadInt64BigEndian(bytes[8..]);
    }
}

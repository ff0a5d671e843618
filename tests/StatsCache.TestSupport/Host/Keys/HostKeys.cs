namespace StatsCache.TestSupport.Host;

/// <summary>
/// The host's key types, one <see cref="KeyCodec"/> per kind of id. <see cref="Int64"/> is the host the
/// suite always had; <see cref="Int32"/> and <see cref="Guid"/> run the same histories over integer and
/// uuid columns. <see cref="Parse"/> reads the names theory data uses ("Int64", "Guid", or one type per
/// kind: "Int32/Guid/Int64/Guid" for team/experiment/session/participant).
/// </summary>
public sealed record HostKeys(KeyCodec Team, KeyCodec Experiment, KeyCodec Session, KeyCodec Participant)
{
#pragma warning disable CA1720 // Named after the KeyType members they make uniform.
    public static HostKeys Int64 { get; } = Uniform(KeyType.Int64);

    public static HostKeys Int32 { get; } = Uniform(KeyType.Int32);

    public static HostKeys Guid { get; } = Uniform(KeyType.Guid);
#pragma warning restore CA1720

    /// <summary>Every kind of id of one type.</summary>
    public static HostKeys Uniform(KeyType type) => Of(type, type, type, type);

    public static HostKeys Of(KeyType team, KeyType experiment, KeyType session, KeyType participant) => new(
        KeyCodec.Of(team, KeyKind.Team),
        KeyCodec.Of(experiment, KeyKind.Experiment),
        KeyCodec.Of(session, KeyKind.Session),
        KeyCodec.Of(participant, KeyKind.Participant));

    /// <summary>"Int64", "Int32", "Guid", or four types separated by '/' (team/experiment/session/participant).</summary>
    public static HostKeys Parse(string name)
    {
        var types = name.Split('/').Select(Enum.Parse<KeyType>).ToArray();
        return types.Length switch
        {
            1 => Uniform(types[0]),
            4 => Of(types[0], types[1], types[2], types[3]),
            _ => throw new ArgumentException($"'{name}': one key type, or four separated by '/'", nameof(name)),
        };
    }

    /// <summary>Every kind a 64-bit integer: the host of the long-keyed runs and the non-generic <c>IStatisticsCache</c>.</summary>
    public bool IsInt64 => All.All(c => c.Type == KeyType.Int64);

    /// <summary>The CLR types of team, experiment, session and participant ids (the type arguments of the host model and the cache's).</summary>
    public Type[] ClrTypes => All.Select(c => c.ClrType).ToArray();

    private IEnumerable<KeyCodec> All => [Team, Experiment, Session, Participant];

    public override string ToString() => All.Select(c => c.Type).Distinct().Count() == 1
        ? Team.Type.ToString()
        : string.Join("/", All.Select(c => c.Type));
}

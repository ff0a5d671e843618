using StatsCache.ChangeTracking;
using StatsCache.Internal;
using StatsCache.Policy;
using StatsCache.Sources;
using StatsCache.Sql;

namespace StatsCache.Tests.GoldenSql;

/// <summary>How the cache mirrors deletions (<see cref="StatisticsCacheOptions.Deletions"/>).</summary>
internal enum GoldenDeletions
{
    KeepHistory,
    Mirror,
}

/// <summary>Whether the host keeps version tags, and whether they carry their team.</summary>
internal enum GoldenVersions
{
    None,
    WithoutTeam,
    WithTeam,
}

/// <summary>The reporting time zone (<see cref="StatisticsCacheOptions.TimeZone"/>).</summary>
internal enum GoldenZone
{
    Utc,
    Berlin,
}

/// <summary>The host's key types (<see cref="StatisticsCacheOptions.Keys"/>): every kind long (bigint), or every kind Guid (uuid).</summary>
internal enum GoldenKeys
{
    Long,
    Guid,
}

/// <summary>
/// One point of the fixed configuration matrix the golden statements are rendered over. The host is
/// fixed too: sessions as a table, human messages as a SELECT naming its table for change tracking,
/// version tags as a table, our tables in schema <c>stats</c>, cache <c>reporting</c>.
/// </summary>
internal sealed record GoldenSqlConfiguration(GoldenDeletions Deletions, GoldenVersions Versions, GoldenZone Zone, GoldenKeys Keys = GoldenKeys.Long)
{
    /// <summary>Every configuration: 2 deletion modes × 3 version shapes × 2 zones × 2 key types.</summary>
    public static IReadOnlyList<GoldenSqlConfiguration> All { get; } =
        (from d in Enum.GetValues<GoldenDeletions>()
         from v in Enum.GetValues<GoldenVersions>()
         from z in Enum.GetValues<GoldenZone>()
         from k in Enum.GetValues<GoldenKeys>()
         select new GoldenSqlConfiguration(d, v, z, k)).ToList();

    public const string CacheName = "reporting";

    /// <summary>The axes of the matrix: a name for file names and headers, and this configuration's value on it.</summary>
    public IReadOnlyList<(string Axis, string Value)> Axes =>
    [
        ("deletions", Deletions switch { GoldenDeletions.Mirror => "mirror", _ => "keep-history" }),
        ("versions", Versions switch { GoldenVersions.None => "no-versions", GoldenVersions.WithoutTeam => "versions", _ => "versions-with-team" }),
        ("zone", Zone switch { GoldenZone.Berlin => "berlin", _ => "utc" }),
        ("keys", Keys switch { GoldenKeys.Guid => "guid", _ => "long" }),
    ];

    public StatisticsCacheOptions Options()
    {
        var options = new StatisticsCacheOptions
        {
            CacheName = CacheName,
            Schema = "stats",
            Deletions = Deletions == GoldenDeletions.Mirror ? SourceDeletions.Mirror : SourceDeletions.KeepHistory,
            TimeZone = Zone == GoldenZone.Berlin ? "Europe/Berlin" : "UTC",
        };
        if (Keys == GoldenKeys.Guid)
        {
            (options.Keys.TeamId, options.Keys.ExperimentId, options.Keys.SessionId, options.Keys.ParticipantId) = (KeyType.Guid, KeyType.Guid, KeyType.Guid, KeyType.Guid);
        }
        options.Sessions.Schema = "app";
        options.Sessions.Table = "chat_sessions";
        options.Sessions.ParticipantIdColumn = "user_id";
        options.HumanMessages.Sql = "SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'";
        options.HumanMessages.Schema = "app";
        options.HumanMessages.ChangeTrackingTable = "messages";
        if (Versions != GoldenVersions.None)
        {
            options.Versions.Schema = "app";
            options.Versions.Table = "session_versions";
            options.Versions.TeamIdColumn = Versions == GoldenVersions.WithTeam ? "team_id" : null;
        }

        // Two host-declared measures: a count over a SELECT and a sum over a table's column. The built-in statements'
        // text does not depend on them; the measures' own statements are rendered for both.
        var botMessages = new MeasureOptions { Name = "bot_messages" };
        botMessages.Source.Sql = "SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role <> 'user'";
        options.Measures.Add(botMessages);
        var tokens = new MeasureOptions { Name = "tokens_used", Aggregate = MeasureAggregate.Sum };
        (tokens.Source.Schema, tokens.Source.Table, tokens.Source.ValueColumn) = ("app", "messages", "tokens");
        options.Measures.Add(tokens);
        return options;
    }

    /// <summary>The cache's SQL, built from the options as <c>CacheEnvironment</c> builds it (keep the two alike).</summary>
    public CacheSql Sql()
    {
        var options = Options();
        var resolution = SourceResolution.Resolve(options, new StatisticsCacheMarker(), model: null);
        if (resolution.Problems.Count > 0 || resolution.Tables is not { } tables)
        {
            throw new InvalidOperationException("Golden configuration is invalid: " + string.Join(" ", resolution.Problems));
        }

        return CacheSqlBuilder.Build(options, resolution, tables, resolution.Keys);
    }

    /// <summary>The key types of this configuration, resolved as the cache resolves them (declared, no model).</summary>
    public CacheKeys ResolvedKeys() => SourceResolution.Resolve(Options(), new StatisticsCacheMarker(), model: null).Keys;

    /// <summary>The host tables change tracking watches in this configuration.</summary>
    public IReadOnlyList<TrackedTable> TrackedTables()
    {
        var options = Options();
        var resolution = SourceResolution.Resolve(options, new StatisticsCacheMarker(), model: null);
        return new[] { (SourceRole.Sessions, (SourceOptions)resolution.Sessions), (SourceRole.HumanMessages, resolution.HumanMessages), (SourceRole.Versions, resolution.Versions) }
            .Where(s => s.Item2.IsConfigured)
            .Select(s => TrackedTable.Of(s.Item1, s.Item2))
            .OfType<TrackedTable>()
            .ToList();
    }

    /// <summary>The tracked table of <paramref name="role"/>, or null when this configuration has none.</summary>
    public TrackedTable? Tracked(SourceRole role) => TrackedTables().FirstOrDefault(t => t.Role == role);
}

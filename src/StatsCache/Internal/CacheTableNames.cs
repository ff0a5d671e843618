using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using StatsCache.Sources;
using StatsCache.Storage;

namespace StatsCache.Internal;

/// <summary>The quoted, schema-qualified names of the cache's own tables.</summary>
internal sealed record CacheTableNames(string Buckets, string SessionStatistics, string FirstSeen, string State, string Runs, string SourceChanges, string Totals)
{
    /// <summary>The host-declared measures' tables (<see cref="MeasureTableNames"/>).</summary>
    public MeasureTableNames Measures { get; init; } = MeasureTableNames.Default(null);

    public static CacheTableNames Default(string? schema) => new(
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.ExperimentBuckets),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.SessionStatistics),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.ParticipantFirstSeen),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.CacheState),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.MaintenanceRuns),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.SourceChanges),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.ExperimentTotals))
    {
        Measures = MeasureTableNames.Default(schema),
    };

    /// <summary>
    /// The names the host's model gives our tables: the long-keyed entities of <c>UseStatisticsCache()</c>, or
    /// the closed generic ones of <c>UseStatisticsCache&lt;TTeamId, TExperimentId, TSessionId, TParticipantId&gt;()</c>.
    /// The change table is optional in a host's model (older migrations): default name in the state table's schema.
    /// </summary>
    /// <exception cref="InvalidOperationException">An entity is missing or a name is not a plain identifier.</exception>
    public static CacheTableNames FromModel(IModel model)
    {
        var changes = Find(model, typeof(SourceChange), typeof(SourceChange<,,>));
        var names = new CacheTableNames(
            Of(model, typeof(ExperimentBucket), typeof(ExperimentBucket<,>)),
            Of(model, typeof(SessionStatistics), typeof(SessionStatistics<,,>)),
            Of(model, typeof(ParticipantFirstSeen), typeof(ParticipantFirstSeen<,,>)),
            Of(model, typeof(CacheState), typeof(CacheState<>)),
            Of(model, typeof(MaintenanceRun), null),
            changes is not null
                ? Quote(typeof(SourceChange), changes.GetSchema(), changes.GetTableName()!)
                : Quote(typeof(SourceChange), StateEntity(model)?.GetSchema(), StorageTableNames.SourceChanges),
            Of(model, typeof(ExperimentStatistics), typeof(ExperimentStatistics<,>)))
        {
            // Optional in a host's model (migrations from before measures): default names in the state table's schema.
            Measures = new MeasureTableNames(
                Optional(model, typeof(ExperimentMeasureBucket), typeof(ExperimentMeasureBucket<,>), StorageTableNames.ExperimentMeasureBuckets),
                Optional(model, typeof(ExperimentMeasure), typeof(ExperimentMeasure<,>), StorageTableNames.ExperimentMeasures),
                Optional(model, typeof(SessionMeasure), typeof(SessionMeasure<,,>), StorageTableNames.SessionMeasures),
                Optional(model, typeof(MeasureRegistration), null, StorageTableNames.Measures)),
        };
        return names;
    }

    /// <summary>Whether the host's model maps the measures' tables (every one of them): a cache with declared measures needs them.</summary>
    public static bool MapsMeasures(IModel model) =>
        Find(model, typeof(ExperimentMeasureBucket), typeof(ExperimentMeasureBucket<,>)) is not null
        && Find(model, typeof(ExperimentMeasure), typeof(ExperimentMeasure<,>)) is not null
        && Find(model, typeof(SessionMeasure), typeof(SessionMeasure<,,>)) is not null
        && Find(model, typeof(MeasureRegistration), null) is not null;

    private static string Optional(IModel model, Type plain, Type? generic, string defaultName) => Find(model, plain, generic) is { } entity
        ? Quote(plain, entity.GetSchema(), entity.GetTableName()!)
        : Quote(plain, StateEntity(model)?.GetSchema(), defaultName);

    /// <summary>The model's state entity (long-keyed or generic), or null when it maps none.</summary>
    public static IReadOnlyEntityType? StateEntity(IModel model) => Find(model, typeof(CacheState), typeof(CacheState<>));

    /// <summary>
    /// The key types of the cache's own entities in the host's model (kind as the <see cref="KeyTypeOptions"/> member,
    /// its type, and where it was read, for messages); a kind is missing when the model maps no entity carrying it.
    /// </summary>
    public static IReadOnlyList<(string Kind, KeyType Type, string Where)> KeyTypesOf(IModel model)
    {
        var found = new List<(string, KeyType, string)>();
        void Add(string kind, IReadOnlyEntityType? entity, string property)
        {
            if (entity?.FindProperty(property) is { } p && Policy.CacheKeys.Of(p.ClrType) is { } type)
            {
                found.Add((kind, type, $"{Display(entity.ClrType)}.{property}"));
            }
        }

        var buckets = Find(model, typeof(ExperimentBucket), typeof(ExperimentBucket<,>));
        var sessions = Find(model, typeof(SessionStatistics), typeof(SessionStatistics<,,>));
        var firstSeen = Find(model, typeof(ParticipantFirstSeen), typeof(ParticipantFirstSeen<,,>));
        Add("TeamId", buckets, nameof(ExperimentBucket.TeamId));
        Add("ExperimentId", buckets, nameof(ExperimentBucket.ExperimentId));
        Add("SessionId", sessions, nameof(Storage.SessionStatistics.SessionId));
        Add("ParticipantId", firstSeen, nameof(ParticipantFirstSeen.ParticipantId));
        return found;
    }

    /// <summary>A CLR type as C# writes it: <c>ExperimentBucket&lt;Guid, Guid&gt;</c>.</summary>
    public static string Display(Type type) => type.IsGenericType
        ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Display)) + ">"
        : type.Name;

    /// <summary>The entity of <paramref name="plain"/>, or of any closed <paramref name="generic"/> (one per model).</summary>
    private static IReadOnlyEntityType? Find(IModel model, Type plain, Type? generic) =>
        model.FindEntityType(plain)
        ?? (generic is null ? null : model.GetEntityTypes().FirstOrDefault(e => e.ClrType.IsGenericType && e.ClrType.GetGenericTypeDefinition() == generic));

    private static string Of(IModel model, Type plain, Type? generic)
    {
        var entityType = Find(model, plain, generic)
            ?? throw new InvalidOperationException(
                $"StatsCache: the DbContext's model has no {plain.Name}; call modelBuilder.UseStatisticsCache() in OnModelCreating and add a migration.");
        return Quote(plain, entityType.GetSchema(), entityType.GetTableName()!);
    }

    private static string Quote(Type entity, string? schema, string table)
    {
        if ((schema is not null ? SqlIdentifier.Problem(schema) : null) is { } schemaProblem)
        {
            throw new InvalidOperationException($"StatsCache: the model puts {entity.Name} in schema {schemaProblem}; give the cache's tables a plain schema name (e.g. UseStatisticsCache(\"stats\")).");
        }

        if (SqlIdentifier.Problem(table) is { } tableProblem)
        {
            throw new InvalidOperationException($"StatsCache: the model maps {entity.Name} to a table whose name {tableProblem}; use a plain table name.");
        }

        return SqlIdentifier.QuoteQualified(schema, table);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace StatsCache.Sources;

/// <summary>Turns entity-mapped sources into table/column options by reading the host's EF model.</summary>
internal static class EntityModelSourceResolver
{
    /// <returns>The key type of each id column the mapping names (from its property's stored CLR type).</returns>
    public static IReadOnlyList<SourceKey> Apply(IModel model, EntitySourceMapping mapping, SourceOptions target)
    {
        var entityType = model.FindEntityType(mapping.EntityType)
            ?? throw new InvalidOperationException(
                $"StatsCache: {mapping.EntityType.Name} (mapped as the {mapping.Role} source) is not an entity type of the DbContext's model.");

        var isView = entityType.GetTableName() is null;
        var name = entityType.GetTableName() ?? entityType.GetViewName()
            ?? throw new InvalidOperationException($"StatsCache: {mapping.EntityType.Name} is mapped to neither a table nor a view.");
        var schema = isView ? entityType.GetViewSchema() : entityType.GetSchema();
        var storeObject = isView ? StoreObjectIdentifier.View(name, schema) : StoreObjectIdentifier.Table(name, schema);

        target.Table = name;
        target.Schema = schema;
        target.Sql = null;
        var keys = new List<SourceKey>();
        foreach (var (canonical, propertyName) in mapping.PropertyByCanonical)
        {
            var property = entityType.FindProperty(propertyName)
                ?? throw new InvalidOperationException($"StatsCache: {mapping.EntityType.Name}.{propertyName} is not a mapped property.");
            var column = property.GetColumnName(storeObject)
                ?? throw new InvalidOperationException($"StatsCache: {mapping.EntityType.Name}.{propertyName} has no column in {name}.");
            if (RequireSupportedType(mapping, canonical, property, column, property.GetColumnType(storeObject)) is { } key)
            {
                keys.Add(key);
            }

            SetColumn(target, canonical, column);
        }

        return keys;
    }

    private static readonly string[] IntegerColumns = ["bigint", "integer", "smallint", "int8", "int4", "int2"];

    /// <summary>
    /// Ids are long, int (short) or Guid, stored as an integer column or uuid, and times timestamptz: anything else would
    /// fail at the first refresh (42883 operator does not exist) after the state already says "backfill in progress", and
    /// a timestamp without time zone would be read through the session's zone. Refused with the entity, member and type
    /// named. Returns the id column's key type, for <c>SourceResolution</c> to resolve and check the cache's key types with.
    /// </summary>
    private static SourceKey? RequireSupportedType(EntitySourceMapping mapping, string canonical, IProperty property, string column, string? columnType)
    {
        // A value converter (strongly typed ids) decides what is stored: judge the provider type.
        var stored = property.GetProviderClrType() ?? property.ClrType;
        var clr = Nullable.GetUnderlyingType(stored) ?? stored;
        var member = $"Map{mapping.Role}: {mapping.EntityType.Name}.{property.Name} (column \"{column}\", {columnType ?? "unknown type"})";
        var problem = canonical switch
        {
            "created_at" when clr != typeof(DateTime) && clr != typeof(DateTimeOffset) =>
                $"is {clr.Name}; {canonical} must be a DateTime or DateTimeOffset stored as timestamp with time zone",
            "created_at" when columnType is not null && !columnType.StartsWith("timestamp with time zone", StringComparison.OrdinalIgnoreCase) && !columnType.StartsWith("timestamptz", StringComparison.OrdinalIgnoreCase) =>
                $"is stored as {columnType}; {canonical} must be timestamp with time zone (timestamptz), or times would be read through the session's time zone",
            "version" when clr != typeof(string) => $"is {clr.Name}; the version label must be a string (text)",
            "created_at" or "version" => null,
            _ when SourceKey.Of(clr) is null =>
                $"is {clr.Name}; {canonical} must be a long, int (or short) or Guid. {clr.Name} keys are not supported: map one of those, or a view that exposes one",
            _ when clr == typeof(Guid) && columnType is not null && !columnType.Equals("uuid", StringComparison.OrdinalIgnoreCase) =>
                $"is stored as {columnType}; a Guid {canonical} must be a uuid column",
            _ when clr != typeof(Guid) && columnType is not null && !IntegerColumns.Any(t => columnType.Equals(t, StringComparison.OrdinalIgnoreCase)) =>
                $"is stored as {columnType}; {canonical} must be an integer column (bigint, integer or smallint)",
            _ => null,
        };
        if (problem is not null)
        {
            throw new InvalidOperationException($"StatsCache: {member} {problem}.");
        }

        return SourceKey.Kinds.ContainsKey(canonical) && SourceKey.Of(clr) is { } type
            ? new SourceKey(canonical, type, member)
            : null;
    }

    private static void SetColumn(SourceOptions target, string canonical, string column)
    {
        switch (target, canonical)
        {
            case (SessionSourceOptions s, "team_id"): s.TeamIdColumn = column; break;
            case (SessionSourceOptions s, "experiment_id"): s.ExperimentIdColumn = column; break;
            case (SessionSourceOptions s, "session_id"): s.SessionIdColumn = column; break;
            case (SessionSourceOptions s, "participant_id"): s.ParticipantIdColumn = column; break;
            case (SessionSourceOptions s, "created_at"): s.CreatedAtColumn = column; break;
            case (HumanMessageSourceOptions m, "team_id"): m.TeamIdColumn = column; break;
            case (HumanMessageSourceOptions m, "experiment_id"): m.ExperimentIdColumn = column; break;
            case (HumanMessageSourceOptions m, "session_id"): m.SessionIdColumn = column; break;
            case (HumanMessageSourceOptions m, "created_at"): m.CreatedAtColumn = column; break;
            case (VersionSourceOptions v, "team_id"): v.TeamIdColumn = column; break;
            case (VersionSourceOptions v, "session_id"): v.SessionIdColumn = column; break;
            case (VersionSourceOptions v, "version"): v.VersionColumn = column; break;
            case (VersionSourceOptions v, "created_at"): v.CreatedAtColumn = column; break;
            default: throw new InvalidOperationException($"StatsCache: no column role '{canonical}' on {target.GetType().Name}.");
        }
    }
}

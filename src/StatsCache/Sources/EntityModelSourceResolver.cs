using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace StatsCache.Sources;

/// <summary>Turns entity-mapped sources into table/column options by reading the host's EF model.</summary>
internal static class EntityModelSourceResolver
{
    public static void Apply(IModel model, EntitySourceMapping mapping, SourceOptions target)
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
        foreach (var (canonical, propertyName) in mapping.PropertyByCanonical)
        {
            var property = entityType.FindProperty(propertyName)
                ?? throw new InvalidOperationException($"StatsCache: {mapping.EntityType.Name}.{propertyName} is not a mapped property.");
            var column = property.GetColumnName(storeObject)
                ?? throw new InvalidOperationException($"StatsCache: {mapping.EntityType.Name}.{propertyName} has no column in {name}.");
            SetColumn(target, canonical, column);
        }
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

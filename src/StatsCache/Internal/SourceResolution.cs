using Microsoft.EntityFrameworkCore.Metadata;
using StatsCache.Sources;

namespace StatsCache.Internal;

/// <summary>
/// The configured sources with entity mappings applied (table and column names read from the host's
/// model), the names of our tables, and every problem found on the way. Run at start-up by
/// <see cref="EntityModelOptionsValidator"/> (so a Guid key or a bad name stops the host) and again when
/// the cache is first used, which builds its SQL from the result.
/// </summary>
internal sealed record SourceResolution(
    SessionSourceOptions Sessions,
    HumanMessageSourceOptions HumanMessages,
    VersionSourceOptions Versions,
    CacheTableNames? Tables,
    IReadOnlyList<string> Problems)
{
    /// <param name="options">The options as configured.</param>
    /// <param name="marker">The entity mappings.</param>
    /// <param name="model">The bound DbContext's model; null when the cache is not bound to one.</param>
    public static SourceResolution Resolve(StatisticsCacheOptions options, StatisticsCacheMarker marker, IModel? model)
    {
        var sessions = Copy(options.Sessions);
        var messages = Copy(options.HumanMessages);
        var versions = Copy(options.Versions);
        var problems = new List<string>();
        CacheTableNames? tables = null;
        if (model is not null)
        {
            foreach (var mapping in marker.EntitySources)
            {
                SourceOptions target = mapping.Role switch
                {
                    SourceRole.Sessions => sessions,
                    SourceRole.HumanMessages => messages,
                    _ => versions,
                };
                try
                {
                    EntityModelSourceResolver.Apply(model, mapping, target);
                }
                catch (InvalidOperationException e)
                {
                    problems.Add(e.Message);
                }
            }

            try
            {
                tables = CacheTableNames.FromModel(model);
            }
            catch (InvalidOperationException e)
            {
                problems.Add(e.Message);
            }
        }
        else
        {
            tables = SqlIdentifier.IsValid(options.Schema) || options.Schema is null ? CacheTableNames.Default(options.Schema) : null;
        }

        problems.AddRange(SourceRelation.Validate(sessions, "Sessions", required: true)
            .Concat(SourceRelation.Validate(messages, "HumanMessages", required: true))
            .Concat(SourceRelation.Validate(versions, "Versions", required: false)));
        return new SourceResolution(sessions, messages, versions, tables, problems);
    }

    private static T Copy<T>(T source)
        where T : SourceOptions, new()
    {
        var copy = new T { Schema = source.Schema, Table = source.Table, Sql = source.Sql, ChangeTrackingTable = source.ChangeTrackingTable };
        switch (source, copy)
        {
            case (SessionSourceOptions s, SessionSourceOptions c):
                (c.TeamIdColumn, c.ExperimentIdColumn, c.SessionIdColumn, c.ParticipantIdColumn, c.CreatedAtColumn) =
                    (s.TeamIdColumn, s.ExperimentIdColumn, s.SessionIdColumn, s.ParticipantIdColumn, s.CreatedAtColumn);
                break;
            case (HumanMessageSourceOptions s, HumanMessageSourceOptions c):
                (c.TeamIdColumn, c.ExperimentIdColumn, c.SessionIdColumn, c.CreatedAtColumn) =
                    (s.TeamIdColumn, s.ExperimentIdColumn, s.SessionIdColumn, s.CreatedAtColumn);
                break;
            case (VersionSourceOptions s, VersionSourceOptions c):
                (c.TeamIdColumn, c.SessionIdColumn, c.VersionColumn, c.CreatedAtColumn) = (s.TeamIdColumn, s.SessionIdColumn, s.VersionColumn, s.CreatedAtColumn);
                break;
        }

        return copy;
    }
}

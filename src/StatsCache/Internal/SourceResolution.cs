using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using StatsCache.Sources;

namespace StatsCache.Internal;

/// <summary>
/// The configured sources with entity mappings applied (table and column names read from the host's
/// model), the names of our tables, and every problem found on the way. Run once, at start-up, by
/// <see cref="EntityModelOptionsValidator"/> (so a key type the model or another source contradicts, or a bad name, stops the host), which keeps the
/// result on the cache's marker for <see cref="CacheEnvironment"/> to build its SQL from (a cache bound to no
/// DbContext, which that validator skips, is resolved when its environment is built). A source given as a LINQ query
/// (<see cref="LinqSourceMapping"/>) is translated with the context instance of the first overload, once:
/// later resolutions (the model-only overload included) reuse that text.
/// </summary>
internal sealed record SourceResolution(
    SessionSourceOptions Sessions,
    HumanMessageSourceOptions HumanMessages,
    VersionSourceOptions Versions,
    CacheTableNames? Tables,
    IReadOnlyList<string> Problems)
{
    /// <summary>The host-declared measures, their sources copied (and validated) like the built-in ones.</summary>
    public IReadOnlyList<MeasureOptions> Measures { get; init; } = [];

    /// <summary>The schema of the cache's tables: the bound model's (where it puts the state table), else <see cref="StatisticsCacheOptions.Schema"/>.</summary>
    public string? TablesSchema { get; init; }

    /// <summary>
    /// The key types of the host's ids, per kind: declared (<see cref="StatisticsCacheOptions.Keys"/>), else those of the
    /// cache's own entities in the bound model (the types our tables are created with), else those the sources' EF
    /// mappings give, else <see cref="KeyType.Int64"/>. Every source and the declaration must agree with them (an integer
    /// source fits a wider integer kind); a disagreement is a problem naming both sides (<see cref="KeyResolution"/>).
    /// </summary>
    public Policy.CacheKeys Keys { get; init; } = Policy.CacheKeys.Int64;

    /// <param name="options">The options as configured.</param>
    /// <param name="marker">The entity mappings.</param>
    /// <param name="context">An instance of the bound DbContext: its model, and the context LINQ sources are translated with.</param>
    /// <param name="logger">Where a LINQ source's first translation is logged, if anywhere.</param>
    public static SourceResolution Resolve(StatisticsCacheOptions options, StatisticsCacheMarker marker, DbContext context, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        Resolve(options, marker, context.Model, (context, logger));

    /// <param name="options">The options as configured.</param>
    /// <param name="marker">The entity mappings.</param>
    /// <param name="model">The bound DbContext's model; null when the cache is not bound to one.</param>
    public static SourceResolution Resolve(StatisticsCacheOptions options, StatisticsCacheMarker marker, IModel? model) =>
        Resolve(options, marker, model, translator: null);

    private static SourceResolution Resolve(StatisticsCacheOptions options, StatisticsCacheMarker marker, IModel? model, (DbContext Context, Microsoft.Extensions.Logging.ILogger? Logger)? translator)
    {
        var sessions = Copy(options.Sessions);
        var messages = Copy(options.HumanMessages);
        var versions = Copy(options.Versions);
        var measures = MeasureCatalog.Declared(options).Select(m => new MeasureOptions { Name = m.Name, Aggregate = m.Aggregate }.WithSource(m.Source.Copy())).ToList();
        var problems = new List<string>();
        var failed = new HashSet<SourceRole>(); // a mapping that failed has said what is wrong; "neither Table nor Sql" would only add noise
        var sourceKeys = new List<SourceKey>();
        IReadOnlyList<(string Kind, KeyType Type, string Where)> modelKeys = [];
        CacheTableNames? tables = null;
        var schema = options.Schema;
        if (model is not null)
        {
            foreach (var mapping in marker.EntitySources)
            {
                // Exhaustive: a new role must say where its rows go, never fall into another's.
                SourceOptions target = mapping.Role switch
                {
                    SourceRole.Sessions => sessions,
                    SourceRole.HumanMessages => messages,
                    SourceRole.Versions => versions,
                    SourceRole.Measure => measures.First(m => m.Name == ((LinqSourceMapping)mapping).MeasureName).Source,
                    _ => throw new InvalidOperationException($"StatsCache: no source takes the rows of role {mapping.Role} (a library bug)."),
                };
                var before = problems.Count;
                if (mapping is LinqSourceMapping linq)
                {
                    problems.AddRange(ApplyLinq(linq, target, translator, marker.Describe, sourceKeys));
                }
                else
                {
                    try
                    {
                        sourceKeys.AddRange(EntityModelSourceResolver.Apply(model, mapping, target));
                    }
                    catch (InvalidOperationException e)
                    {
                        problems.Add(e.Message);
                    }
                }

                if (problems.Count > before)
                {
                    failed.Add(mapping.Role);
                }
            }

            schema = CacheTableNames.StateEntity(model)?.GetSchema();
            if (options.Measures.Count > 0 && !CacheTableNames.MapsMeasures(model))
            {
                problems.Add("StatsCache: Measures are declared but the DbContext's model does not map the measures' tables (ExperimentMeasure, ExperimentMeasureBucket, SessionMeasure, MeasureRegistration); " +
                    "modelBuilder.UseStatisticsCache() maps them since 0.2: add a migration.");
            }

            modelKeys = CacheTableNames.KeyTypesOf(model);
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

        problems.AddRange(SourceRelation.Validate(sessions, "Sessions", required: !failed.Contains(SourceRole.Sessions))
            .Concat(SourceRelation.Validate(messages, "HumanMessages", required: !failed.Contains(SourceRole.HumanMessages)))
            .Concat(SourceRelation.Validate(versions, "Versions", required: false)));
        // Validated with the options (StatisticsCacheOptionsValidator), which stop the host first.
        var keys = KeyResolution.Resolve(options.Keys, modelKeys, sourceKeys, problems);
        return new SourceResolution(sessions, messages, versions, tables, problems) { TablesSchema = schema, Keys = keys, Measures = measures };
    }

    /// <summary>A LINQ source becomes a SELECT source with the canonical column names (its ChangeTrackingTable and Schema stay as configured).</summary>
    private static IEnumerable<string> ApplyLinq(LinqSourceMapping mapping, SourceOptions target, (DbContext Context, Microsoft.Extensions.Logging.ILogger? Logger)? translator, string cache, List<SourceKey> keys)
    {
        var translation = translator is { } t ? mapping.Translate(t.Context, t.Logger, cache) : mapping.Translated;
        if (translation is null)
        {
            return [$"StatsCache: {mapping.Describe} was not translated: resolve the sources with an instance of the bound DbContext first (options validation does)."];
        }

        if (translation.Sql is not { } sql)
        {
            return translation.Problems;
        }

        keys.AddRange(translation.Keys);
        target.Table = null;
        target.Sql = sql;
        if (target is MeasureSourceOptions && mapping.MeasureName is { } measure && translation.Canonical.Contains("value", StringComparer.Ordinal) != mapping.SumsValue)
        {
            return [mapping.SumsValue
                ? $"StatsCache: {mapping.Describe}: the measure is a Sum, but the query names no Value; project the integer it sums as Value."
                : $"StatsCache: {mapping.Describe}: the measure is a Count, but the query names a Value; drop it, or declare the measure with MeasureAggregate.Sum."];
        }

        if (target is VersionSourceOptions versions)
        {
            if (translation.HasTeam)
            {
                versions.TeamIdColumn ??= "team_id";
            }
            else if (versions.TeamIdColumn is { } column)
            {
                return [$"StatsCache: {mapping.Describe}: Versions.TeamIdColumn is '{column}' but the query names no TeamId; project TeamId, or leave TeamIdColumn unset."];
            }
        }

        return [];
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

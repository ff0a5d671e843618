using StatsCache.Internal;
using StatsCache.Sources;

namespace StatsCache.ChangeTracking;

/// <summary>A host table the change-tracking triggers watch, with its quoted column names.</summary>
/// <param name="Role">Which source it feeds.</param>
/// <param name="QualifiedName">Quoted, schema-qualified table name.</param>
/// <param name="TeamId">Quoted team column, or null (version tags without <see cref="VersionSourceOptions.TeamIdColumn"/>).</param>
/// <param name="ExperimentId">Quoted experiment column, or null.</param>
/// <param name="SessionId">Quoted session column.</param>
/// <param name="CreatedAt">Quoted creation time column.</param>
internal sealed record TrackedTable(SourceRole Role, string QualifiedName, string? TeamId, string? ExperimentId, string SessionId, string CreatedAt)
{
    /// <summary>The tables change tracking watches: those of the configured sources that are tables (or name one to track).</summary>
    public static IReadOnlyList<TrackedTable> In(SourceResolution sources) =>
        new[] { (SourceRole.Sessions, (SourceOptions)sources.Sessions), (SourceRole.HumanMessages, sources.HumanMessages), (SourceRole.Versions, sources.Versions) }
            .Where(s => s.Item2.IsConfigured)
            .Select(s => Of(s.Item1, s.Item2))
            .OfType<TrackedTable>()
            .ToList();

    /// <summary>The table of a source (its <c>Table</c>, or the <c>ChangeTrackingTable</c> of a SELECT source), or null if it names none.</summary>
    public static TrackedTable? Of(SourceRole role, SourceOptions source)
    {
        var table = source.Table ?? source.ChangeTrackingTable;
        if (table is null)
        {
            return null;
        }

        var name = SqlIdentifier.QuoteQualified(source.Schema, table);
        return source switch
        {
            SessionSourceOptions s => new(role, name, Q(s.TeamIdColumn), Q(s.ExperimentIdColumn), Q(s.SessionIdColumn), Q(s.CreatedAtColumn)),
            HumanMessageSourceOptions m => new(role, name, Q(m.TeamIdColumn), Q(m.ExperimentIdColumn), Q(m.SessionIdColumn), Q(m.CreatedAtColumn)),
            VersionSourceOptions v => new(role, name, v.TeamIdColumn is { } team ? Q(team) : null, null, Q(v.SessionIdColumn), Q(v.CreatedAtColumn)),
            _ => null,
        };
    }

    private static string Q(string column) => SqlIdentifier.Quote(column);
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using StatsCache.Sources;
using StatsCache.Storage;

namespace StatsCache.Internal;

/// <summary>The quoted, schema-qualified names of the cache's own tables.</summary>
internal sealed record CacheTableNames(string Buckets, string SessionStatistics, string FirstSeen, string State, string Runs, string SourceChanges, string Totals)
{
    public static CacheTableNames Default(string? schema) => new(
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.ExperimentBuckets),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.SessionStatistics),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.ParticipantFirstSeen),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.CacheState),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.MaintenanceRuns),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.SourceChanges),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.ExperimentTotals));

    /// <summary>
    /// The names the host's model gives our tables. The change table is optional in a host's model (older
    /// migrations): default name in the state table's schema.
    /// </summary>
    /// <exception cref="InvalidOperationException">An entity is missing or a name is not a plain identifier.</exception>
    public static CacheTableNames FromModel(IModel model)
    {
        var names = new CacheTableNames(
            Of<ExperimentBucket>(model), Of<SessionStatistics>(model), Of<ParticipantFirstSeen>(model), Of<CacheState>(model), Of<MaintenanceRun>(model),
            model.FindEntityType(typeof(SourceChange)) is { } changes
                ? Quote(typeof(SourceChange), changes.GetSchema(), changes.GetTableName()!)
                : Quote(typeof(SourceChange), model.FindEntityType(typeof(CacheState))?.GetSchema(), StorageTableNames.SourceChanges),
            Of<ExperimentStatistics>(model));
        return names;
    }

    private static string Of<T>(IModel model)
    {
        var entityType = model.FindEntityType(typeof(T))
            ?? throw new InvalidOperationException(
                $"StatsCache: the DbContext's model has no {typeof(T).Name}; call modelBuilder.UseStatisticsCache() in OnModelCreating and add a migration.");
        return Quote(typeof(T), entityType.GetSchema(), entityType.GetTableName()!);
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

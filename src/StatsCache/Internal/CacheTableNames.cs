using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using StatsCache.Sources;
using StatsCache.Storage;

namespace StatsCache.Internal;

/// <summary>The quoted, schema-qualified names of the cache's own tables.</summary>
internal sealed record CacheTableNames(string Buckets, string SessionStatistics, string FirstSeen, string State, string Runs, string SourceChanges)
{
    public static CacheTableNames Default(string? schema) => new(
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.ExperimentBuckets),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.SessionStatistics),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.ParticipantFirstSeen),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.CacheState),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.MaintenanceRuns),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.SourceChanges));

    /// <summary>
    /// The names the host's model gives our tables. The change table is optional in a host's model (older
    /// migrations): default name in the state table's schema.
    /// </summary>
    /// <exception cref="InvalidOperationException">An entity is missing, a name is not a plain identifier, or the read model reads another table.</exception>
    public static CacheTableNames FromModel(IModel model)
    {
        var names = new CacheTableNames(
            Of<ExperimentBucket>(model), Of<SessionStatistics>(model), Of<ParticipantFirstSeen>(model), Of<CacheState>(model), Of<MaintenanceRun>(model),
            model.FindEntityType(typeof(SourceChange)) is { } changes
                ? Quote(typeof(SourceChange), changes.GetSchema(), changes.GetTableName()!)
                : Quote(typeof(SourceChange), model.FindEntityType(typeof(CacheState))?.GetSchema(), StorageTableNames.SourceChanges));
        RequireReadModelReads(model, names.Buckets);
        return names;
    }

    /// <summary>
    /// <see cref="ExperimentStatistics"/> is a query of the bucket table, written when <c>UseStatisticsCache()</c>
    /// ran: a <c>ToTable()</c> override of the bucket entity made after it would leave the host's LINQ reading
    /// a table maintenance no longer writes — silently stale or failing. Refused here, at start-up.
    /// </summary>
    private static void RequireReadModelReads(IModel model, string buckets)
    {
        if (model.FindEntityType(typeof(ExperimentStatistics))?.GetSqlQuery() is { } query && !query.Contains("FROM " + buckets + " ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"StatsCache: the model maps {nameof(ExperimentBucket)} to {buckets}, but the {nameof(ExperimentStatistics)} read model reads another table " +
                $"(its query was written by modelBuilder.UseStatisticsCache() before the bucket table was renamed). Configure " +
                $"modelBuilder.Entity<{nameof(ExperimentBucket)}>().ToTable(…) before calling UseStatisticsCache(), which then keeps your name and reads it.");
        }
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

using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using StatsCache.Policy;
using StatsCache.ChangeTracking;
using StatsCache.Sources;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Internal;

/// <summary>
/// The resolved, ready-to-run form of a cache: its connection pool, its SQL and its lock key.
/// Built once, at first use, because resolving entity-mapped sources needs the host's DbContext model.
/// </summary>
internal sealed class CacheEnvironment : IDisposable
{
    private readonly Lazy<Resolved> _resolved;

    public CacheEnvironment(IOptions<StatisticsCacheOptions> options, StatisticsCacheMarker marker, IServiceProvider services)
    {
        Options = options.Value;
        _resolved = new Lazy<Resolved>(() => Resolve(Options, marker, services), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public StatisticsCacheOptions Options { get; }

    public NpgsqlDataSource DataSource => _resolved.Value.DataSource;

    public CacheSql Sql => _resolved.Value.Sql;

    /// <summary>The advisory lock key that serialises this cache's maintenance across processes.</summary>
    public long LockKey => _resolved.Value.LockKey;

    /// <summary>The host tables change tracking puts triggers on: the sources that are tables (or name one to track).</summary>
    public IReadOnlyList<TrackedTable> TrackedTables => _resolved.Value.TrackedTables;

    public void Dispose()
    {
        if (_resolved.IsValueCreated)
        {
            _resolved.Value.DataSource.Dispose();
        }
    }

    private static Resolved Resolve(StatisticsCacheOptions options, StatisticsCacheMarker marker, IServiceProvider services)
    {
        var sessions = Copy(options.Sessions);
        var messages = Copy(options.HumanMessages);
        var versions = Copy(options.Versions);
        string connectionString;
        TableNames tables;

        if (marker.DbContextType is { } contextType)
        {
            using var scope = services.CreateScope();
            var context = (DbContext)scope.ServiceProvider.GetRequiredService(contextType);
            connectionString = options.ConnectionString ?? context.Database.GetConnectionString()
                ?? throw new InvalidOperationException($"StatsCache: {contextType.Name} has no connection string and StatisticsCacheOptions.ConnectionString is not set.");
            var model = context.Model;
            foreach (var mapping in marker.EntitySources)
            {
                SourceOptions target = mapping.Role switch
                {
                    SourceRole.Sessions => sessions,
                    SourceRole.HumanMessages => messages,
                    _ => versions,
                };
                EntityModelSourceResolver.Apply(model, mapping, target);
            }

            tables = TableNames.FromModel(model);
        }
        else
        {
            connectionString = options.ConnectionString!;
            tables = TableNames.Default(options.Schema);
        }

        var problems = SourceRelation.Validate(sessions, "Sessions", required: true)
            .Concat(SourceRelation.Validate(messages, "HumanMessages", required: true))
            .Concat(SourceRelation.Validate(versions, "Versions", required: false))
            .ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("StatsCache: invalid source configuration: " + string.Join(" ", problems));
        }

        var sql = new CacheSql(
            SourceRelation.ToSql(sessions),
            SourceRelation.ToSql(messages),
            versions.IsConfigured ? SourceRelation.ToSql(versions) : null,
            tables.Buckets, tables.SessionStatistics, tables.FirstSeen, tables.State, tables.Runs,
            ReportingTimeZone.FromId(options.TimeZone))
        {
            MirrorDeletions = options.Deletions == SourceDeletions.Mirror,
            VersionsHaveTeam = versions.IsConfigured && versions.HasTeam,
            SourceChanges = tables.SourceChanges,
        };
        var tracked = new[] { (SourceRole.Sessions, (SourceOptions)sessions), (SourceRole.HumanMessages, messages), (SourceRole.Versions, versions) }
            .Where(s => s.Item2.IsConfigured)
            .Select(s => TrackedTable.Of(s.Item1, s.Item2))
            .OfType<TrackedTable>()
            .ToList();
        return new Resolved(NpgsqlDataSource.Create(connectionString), sql, LockKeyOf(tables.State, options.CacheName), tracked);
    }

    private static long LockKeyOf(string stateTable, string cacheName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("statscache:" + stateTable + ":" + cacheName));
        return BitConverter.ToInt64(hash, 0);
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

    private sealed record Resolved(NpgsqlDataSource DataSource, CacheSql Sql, long LockKey, IReadOnlyList<TrackedTable> TrackedTables);

    private sealed record TableNames(string Buckets, string SessionStatistics, string FirstSeen, string State, string Runs, string SourceChanges)
    {
        public static TableNames Default(string? schema) => new(
            SqlIdentifier.QuoteQualified(schema, StorageTableNames.ExperimentBuckets),
            SqlIdentifier.QuoteQualified(schema, StorageTableNames.SessionStatistics),
            SqlIdentifier.QuoteQualified(schema, StorageTableNames.ParticipantFirstSeen),
            SqlIdentifier.QuoteQualified(schema, StorageTableNames.CacheState),
            SqlIdentifier.QuoteQualified(schema, StorageTableNames.MaintenanceRuns),
            SqlIdentifier.QuoteQualified(schema, StorageTableNames.SourceChanges));

        // The change table is optional in a host's model (older migrations): default name in the state table's schema.
        public static TableNames FromModel(IModel model) => new(
            Of<ExperimentBucket>(model), Of<SessionStatistics>(model), Of<ParticipantFirstSeen>(model), Of<CacheState>(model), Of<MaintenanceRun>(model),
            model.FindEntityType(typeof(SourceChange)) is { } changes
                ? SqlIdentifier.QuoteQualified(changes.GetSchema(), changes.GetTableName()!)
                : SqlIdentifier.QuoteQualified(model.FindEntityType(typeof(CacheState))?.GetSchema(), StorageTableNames.SourceChanges));

        private static string Of<T>(IModel model)
        {
            var entityType = model.FindEntityType(typeof(T))
                ?? throw new InvalidOperationException(
                    $"StatsCache: the DbContext's model has no {typeof(T).Name}; call modelBuilder.UseStatisticsCache() in OnModelCreating and add a migration.");
            return SqlIdentifier.QuoteQualified(entityType.GetSchema(), entityType.GetTableName()!);
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
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

    /// <summary>The cache's own tables, as the model (or <see cref="StatisticsCacheOptions.Schema"/>) names them.</summary>
    public CacheTableNames Tables => _resolved.Value.Tables;

    /// <summary>The schema of the cache's tables: the bound model's, or <see cref="StatisticsCacheOptions.Schema"/>; null is the search path.</summary>
    public string? TablesSchema => _resolved.Value.TablesSchema;

    public void Dispose()
    {
        // A data source the host gave us (its own, or its DbContext's) is the host's to dispose.
        if (_resolved.IsValueCreated && _resolved.Value.OwnsDataSource)
        {
            _resolved.Value.DataSource.Dispose();
        }
    }

    private static Resolved Resolve(StatisticsCacheOptions options, StatisticsCacheMarker marker, IServiceProvider services)
    {
        SourceResolution resolution;
        (NpgsqlDataSource DataSource, bool Owned) connection;
        var schema = options.Schema;
        if (marker.DbContextType is { } contextType)
        {
            using var scope = services.CreateScope();
            var context = (DbContext)scope.ServiceProvider.GetRequiredService(contextType);
            connection = HostConnection.Of(options, context);
            resolution = SourceResolution.Resolve(options, marker, context.Model);
            schema = context.Model.FindEntityType(typeof(CacheState))?.GetSchema();
        }
        else
        {
            connection = HostConnection.Of(options, context: null);
            resolution = SourceResolution.Resolve(options, marker, model: null);
        }

        if (resolution.Problems.Count > 0 || resolution.Tables is not { } tables)
        {
            if (connection.Owned)
            {
                connection.DataSource.Dispose();
            }

            throw new InvalidOperationException("StatsCache: invalid source configuration: " + string.Join(" ", resolution.Problems));
        }

        var (sessions, messages, versions) = (resolution.Sessions, resolution.HumanMessages, resolution.Versions);
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
            Totals = tables.Totals,
        };
        var tracked = new[] { (SourceRole.Sessions, (SourceOptions)sessions), (SourceRole.HumanMessages, messages), (SourceRole.Versions, versions) }
            .Where(s => s.Item2.IsConfigured)
            .Select(s => TrackedTable.Of(s.Item1, s.Item2))
            .OfType<TrackedTable>()
            .ToList();
        return new Resolved(connection.DataSource, connection.Owned, sql, LockKeyOf(tables.State, options.CacheName), tracked, tables, schema);
    }

    private static long LockKeyOf(string stateTable, string cacheName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("statscache:" + stateTable + ":" + cacheName));
        return BitConverter.ToInt64(hash, 0);
    }

    private sealed record Resolved(NpgsqlDataSource DataSource, bool OwnsDataSource, CacheSql Sql, long LockKey, IReadOnlyList<TrackedTable> TrackedTables, CacheTableNames Tables, string? TablesSchema);
}

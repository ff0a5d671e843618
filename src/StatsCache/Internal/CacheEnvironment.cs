using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StatsCache.Policy;
using StatsCache.Sql;

namespace StatsCache.Internal;

/// <summary>
/// One cache, resolved: what each job produced, side by side, all of it when the cache is built (never at first use).
/// The jobs have their own types — the options (<see cref="StatisticsCacheOptions"/>, validated at start-up), the
/// sources with their entity and LINQ mappings applied (<see cref="SourceResolution"/>, the one options validation
/// resolved at host start), our table names (<see cref="CacheTableNames"/>), the connection
/// (<see cref="CacheConnection"/>), the statement inputs (<see cref="CacheSqlBuilder"/>) and the lock key
/// (<see cref="CacheLockKey"/>); the clock is the container's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class CacheEnvironment : IDisposable
{
    public CacheEnvironment(IOptions<StatisticsCacheOptions> options, StatisticsCacheMarker marker, IServiceProvider services)
    {
        Options = options.Value; // validates: a bad option throws here, naming it
        (Connection, Sources) = Resolve(Options, marker, services);
        Tables = Sources.Tables!;
        Keys = Sources.Keys;
        Sql = CacheSqlBuilder.Build(Options, Sources, Tables, Keys);
        LockKey = CacheLockKey.Of(Tables.State, Options.CacheName);
    }

    public StatisticsCacheOptions Options { get; }

    public CacheConnection Connection { get; }

    public Npgsql.NpgsqlDataSource DataSource => Connection.DataSource;

    /// <summary>The sources with entity mappings applied: what the SQL reads, and the tables change tracking watches.</summary>
    public SourceResolution Sources { get; }

    public CacheSql Sql { get; }

    /// <summary>The advisory lock key that serialises this cache's maintenance across processes.</summary>
    public long LockKey { get; }

    /// <summary>The cache's own tables, as the model (or <see cref="StatisticsCacheOptions.Schema"/>) names them.</summary>
    public CacheTableNames Tables { get; }

    /// <summary>The resolved types of the host's ids.</summary>
    public CacheKeys Keys { get; }

    /// <summary>The schema of the cache's tables: the bound model's, or <see cref="StatisticsCacheOptions.Schema"/>; null is the search path.</summary>
    public string? TablesSchema => Sources.TablesSchema;

    public void Dispose() => Connection.Dispose();

    /// <exception cref="InvalidOperationException">The sources or table names do not resolve (options validation reports the same at start-up).</exception>
    private static (CacheConnection Connection, SourceResolution Sources) Resolve(StatisticsCacheOptions options, StatisticsCacheMarker marker, IServiceProvider services)
    {
        CacheConnection connection;
        SourceResolution resolution;
        if (marker.DbContextType is { } contextType)
        {
            using var scope = services.CreateScope();
            var context = (DbContext)scope.ServiceProvider.GetRequiredService(contextType);
            connection = HostConnection.Of(options, context);
            resolution = marker.ResolutionOf(options) ?? SourceResolution.Resolve(options, marker, context.Model);
        }
        else
        {
            connection = HostConnection.Of(options, context: null);
            resolution = marker.ResolutionOf(options) ?? SourceResolution.Resolve(options, marker, model: null);
        }

        if (resolution.Problems.Count > 0 || resolution.Tables is null)
        {
            connection.Dispose();
            throw new InvalidOperationException("StatsCache: invalid source configuration: " + string.Join(" ", resolution.Problems));
        }

        return (connection, resolution);
    }
}

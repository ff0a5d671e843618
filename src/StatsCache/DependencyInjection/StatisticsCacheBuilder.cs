using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using StatsCache.Internal;
using StatsCache.Sources;

// ReSharper disable once CheckNamespace
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chains further configuration after <c>AddStatisticsCache</c>.</summary>
public sealed class StatisticsCacheBuilder
{
    private readonly StatisticsCacheMarker _marker;

    internal StatisticsCacheBuilder(IServiceCollection services, StatisticsCacheMarker marker) => (Services, _marker) = (services, marker);

    /// <summary>The service collection, for add-ons.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// The name of the cache this builder configures (its DI key and options name, from
    /// <c>AddStatisticsCache("reporting", …)</c>), or <see langword="null"/> for the default cache. For add-ons.
    /// </summary>
    public string? Name => _marker.Name;

    /// <summary>
    /// Binds the cache to the host's <typeparamref name="TContext"/>: its data source or connection string is used
    /// (unless <c>DataSource</c> or <c>ConnectionString</c> is set), the cache's table names are read from its model (which
    /// must call <c>modelBuilder.UseStatisticsCache()</c>), and entity-mapped sources resolve against it.
    /// </summary>
    public StatisticsCacheBuilder UseDbContext<TContext>()
        where TContext : DbContext
    {
        _marker.DbContextType = typeof(TContext);
        return this;
    }

    /// <summary>
    /// Opens the cache's connections from <paramref name="dataSource"/> (sets <see cref="StatsCache.StatisticsCacheOptions.DataSource"/>),
    /// e.g. the host's own data source with its password, instead of a connection string. The cache never disposes it.
    /// </summary>
    /// <param name="dataSource">The host's data source.</param>
    public StatisticsCacheBuilder UseDataSource(Npgsql.NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        Services.Configure<StatsCache.StatisticsCacheOptions>(_marker.OptionsName, o => o.DataSource = dataSource);
        return this;
    }

    /// <summary>
    /// Reads sessions from the table of entity <typeparamref name="TEntity"/> in the bound DbContext's model.
    /// </summary>
    /// <param name="roles">Names the property for each role: <c>s =&gt; new { TeamId = s.TeamId, ExperimentId = s.ExperimentId, SessionId = s.Id, ParticipantId = s.ParticipantId, CreatedAt = s.CreatedAt }</c>.</param>
    public StatisticsCacheBuilder MapSessions<TEntity>(Expression<Func<TEntity, object?>> roles)
        where TEntity : class => Map<TEntity>(SourceRole.Sessions, roles);

    /// <summary>Reads human messages from the table of entity <typeparamref name="TEntity"/> (roles TeamId, ExperimentId, SessionId, CreatedAt).</summary>
    /// <param name="roles">Names the property for each role.</param>
    /// <remarks>Every row of the table counts; to count only human messages, map a view or use <c>HumanMessages.Sql</c>.</remarks>
    public StatisticsCacheBuilder MapHumanMessages<TEntity>(Expression<Func<TEntity, object?>> roles)
        where TEntity : class => Map<TEntity>(SourceRole.HumanMessages, roles);

    /// <summary>Reads version labels from the table of entity <typeparamref name="TEntity"/> (roles SessionId, Version, CreatedAt).</summary>
    /// <param name="roles">Names the property for each role.</param>
    public StatisticsCacheBuilder MapVersions<TEntity>(Expression<Func<TEntity, object?>> roles)
        where TEntity : class => Map<TEntity>(SourceRole.Versions, roles);

    private StatisticsCacheBuilder Map<TEntity>(SourceRole role, LambdaExpression roles)
    {
        _marker.EntitySources.RemoveAll(m => m.Role == role);
        _marker.EntitySources.Add(EntitySourceMapping.From<TEntity>(role, roles));
        return this;
    }
}

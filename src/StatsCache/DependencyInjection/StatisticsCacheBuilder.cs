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
    /// <remarks>Every row of the table counts; to count only human messages, map a LINQ query (the overload over a DbContext) or use <c>HumanMessages.Sql</c>.</remarks>
    public StatisticsCacheBuilder MapHumanMessages<TEntity>(Expression<Func<TEntity, object?>> roles)
        where TEntity : class => Map<TEntity>(SourceRole.HumanMessages, roles);

    /// <summary>Reads version labels from the table of entity <typeparamref name="TEntity"/> (roles SessionId, Version, CreatedAt).</summary>
    /// <param name="roles">Names the property for each role.</param>
    public StatisticsCacheBuilder MapVersions<TEntity>(Expression<Func<TEntity, object?>> roles)
        where TEntity : class => Map<TEntity>(SourceRole.Versions, roles);

    /// <summary>
    /// Reads sessions from an EF Core LINQ query over the bound context <typeparamref name="TContext"/>, with filters and
    /// navigations, translated once to SQL at start-up: <c>db =&gt; db.Sessions.Where(s =&gt; !s.IsTest).Select(s =&gt; new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt })</c>.
    /// </summary>
    /// <param name="query">
    /// Builds the query from a context instance. It must end in <c>.Select(x =&gt; new { … })</c> whose member names are the roles
    /// (TeamId, ExperimentId, SessionId, ParticipantId, CreatedAt).
    /// </param>
    /// <remarks>
    /// The query is translated once, when the options are validated (at start-up with <c>ValidateOnStart</c>), with an instance of
    /// the bound context, and then read like a <see cref="StatsCache.SourceOptions.Sql"/> source. Constants are inlined as
    /// literals; a captured variable (which EF would send as a parameter) and reads of the clock (<c>DateTime.UtcNow</c>) are refused
    /// at start-up with the source named — wrap a value fixed at start-up in <c>EF.Constant(value)</c> to inline it.
    /// Change tracking of such a source needs <see cref="StatsCache.SourceOptions.ChangeTrackingTable"/>, as for any SELECT source.
    /// </remarks>
    public StatisticsCacheBuilder MapSessions<TContext>(Func<TContext, IQueryable<object>> query)
        where TContext : DbContext => MapQuery(SourceRole.Sessions, query);

    /// <summary>
    /// Reads human messages from an EF Core LINQ query over the bound context <typeparamref name="TContext"/>, translated once to SQL at
    /// start-up, e.g. only the human ones, with the team and experiment through the session:
    /// <c>db =&gt; db.Messages.Where(m =&gt; m.Role == "user").Select(m =&gt; new { m.Chat.TeamId, m.Chat.ExperimentId, SessionId = m.ChatId, m.CreatedAt })</c>.
    /// </summary>
    /// <param name="query">Builds the query; it must end in <c>.Select(x =&gt; new { TeamId = …, ExperimentId = …, SessionId = …, CreatedAt = … })</c>.</param>
    /// <remarks>See <see cref="MapSessions{TContext}(Func{TContext, IQueryable{object}})"/> for how the query is translated and what is refused.</remarks>
    public StatisticsCacheBuilder MapHumanMessages<TContext>(Func<TContext, IQueryable<object>> query)
        where TContext : DbContext => MapQuery(SourceRole.HumanMessages, query);

    /// <summary>Reads version labels from an EF Core LINQ query over the bound context <typeparamref name="TContext"/>, translated once to SQL at start-up.</summary>
    /// <param name="query">
    /// Builds the query; it must end in <c>.Select(x =&gt; new { SessionId = …, Version = …, CreatedAt = … })</c>, plus <c>TeamId</c> where
    /// session ids are unique only within a team.
    /// </param>
    /// <remarks>See <see cref="MapSessions{TContext}(Func{TContext, IQueryable{object}})"/> for how the query is translated and what is refused.</remarks>
    public StatisticsCacheBuilder MapVersions<TContext>(Func<TContext, IQueryable<object>> query)
        where TContext : DbContext => MapQuery(SourceRole.Versions, query);

    /// <summary>
    /// Declares a measure of the host's own (<see cref="StatsCache.StatisticsCacheOptions.Measures"/>) whose rows are an EF Core
    /// LINQ query over the bound context <typeparamref name="TContext"/>, translated once to SQL at start-up like the other
    /// LINQ sources, e.g. the bot's replies: <c>db =&gt; db.Messages.Where(m =&gt; m.Role == "assistant").Select(m =&gt; new { m.Chat.TeamId, m.Chat.ExperimentId, SessionId = m.ChatId, m.CreatedAt })</c>,
    /// or, for a <see cref="StatsCache.MeasureAggregate.Sum"/>, the same projection with <c>Value = m.Tokens</c>.
    /// </summary>
    /// <typeparam name="TContext">The bound DbContext (<see cref="UseDbContext{TContext}"/>).</typeparam>
    /// <param name="name">The measure's name (<see cref="StatsCache.MeasureOptions.Name"/>): the key of the results' <c>Measures</c> dictionaries.</param>
    /// <param name="aggregate">Count the query's rows, or sum their <c>Value</c>.</param>
    /// <param name="query">Builds the query; it must end in <c>.Select(x =&gt; new { TeamId = …, ExperimentId = …, SessionId = …, CreatedAt = … })</c>, plus <c>Value = …</c> (an integer) for a sum.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>See <see cref="MapSessions{TContext}(Func{TContext, IQueryable{object}})"/> for how the query is translated and what is refused.</remarks>
    public StatisticsCacheBuilder AddMeasure<TContext>(string name, StatsCache.MeasureAggregate aggregate, Func<TContext, IQueryable<object>> query)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(query);
        _marker.EntitySources.RemoveAll(m => m is LinqSourceMapping { Role: SourceRole.Measure } linq && linq.MeasureName == name);
        _marker.EntitySources.Add(new LinqSourceMapping(SourceRole.Measure, typeof(TContext), context => query((TContext)context))
        {
            MeasureName = name,
            SumsValue = aggregate == StatsCache.MeasureAggregate.Sum,
        });
        Services.Configure<StatsCache.StatisticsCacheOptions>(_marker.OptionsName, o =>
        {
            if (!o.Measures.Any(m => m.Name == name))
            {
                o.Measures.Add(new StatsCache.MeasureOptions { Name = name, Aggregate = aggregate });
            }
        });
        return this;
    }

    private StatisticsCacheBuilder MapQuery<TContext>(SourceRole role, Func<TContext, IQueryable<object>> query)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(query);
        _marker.EntitySources.RemoveAll(m => m.Role == role);
        _marker.EntitySources.Add(new LinqSourceMapping(role, typeof(TContext), context => query((TContext)context)));
        return this;
    }

    private StatisticsCacheBuilder Map<TEntity>(SourceRole role, LambdaExpression roles)
    {
        _marker.EntitySources.RemoveAll(m => m.Role == role);
        _marker.EntitySources.Add(EntitySourceMapping.From<TEntity>(role, roles));
        return this;
    }
}

using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace StatsCache.TestSupport.Host;

/// <summary>
/// The cache wired the way a host wires it, written once for the integration tests, the Citus tests
/// and the benchmark: bound to the host's DbContext, sessions and versions mapped from the entity
/// types in HostEntities.cs, human messages from a SELECT.
/// </summary>
public static class HostWiring
{
    /// <summary>The host's human messages: a SELECT with the canonical column names that filters the bot's out.</summary>
    public const string HumanMessagesSql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human";

    /// <summary>The host's first measure: the number of its bot (non-human) messages, from a SELECT.</summary>
    public const string BotMessages = "bot_messages";

    /// <summary>The host's second measure: the sum of the tokens of all its messages, from its table (<c>tokens</c> summed, nulls add nothing).</summary>
    public const string TokensUsed = "tokens_used";

    /// <summary>The rows of <see cref="BotMessages"/>: a SELECT with the canonical column names that keeps the bot's messages.</summary>
    public const string BotMessagesSql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE NOT is_human";

    /// <summary>The measure <see cref="BotMessages"/>: a <see cref="MeasureAggregate.Count"/> over <see cref="BotMessagesSql"/>.</summary>
    public static MeasureOptions BotMessagesMeasure()
    {
        var measure = new MeasureOptions { Name = BotMessages, Aggregate = MeasureAggregate.Count };
        measure.Source.Sql = BotMessagesSql;
        return measure;
    }

    /// <summary>The measure <see cref="TokensUsed"/>: a <see cref="MeasureAggregate.Sum"/> of <c>chat_messages.tokens</c> (a table source with a value column).</summary>
    public static MeasureOptions TokensUsedMeasure()
    {
        var measure = new MeasureOptions { Name = TokensUsed, Aggregate = MeasureAggregate.Sum };
        measure.Source.Table = "chat_messages";
        measure.Source.ValueColumn = "tokens";
        return measure;
    }

    /// <summary>
    /// Declares the host's own measures (<see cref="BotMessages"/>, <see cref="TokensUsed"/>) on <paramref name="options"/>:
    /// what a harness created with measures on adds before its own configuration.
    /// </summary>
    public static void DeclareMeasures(StatisticsCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Measures.Add(BotMessagesMeasure());
        options.Measures.Add(TokensUsedMeasure());
    }

    /// <summary>
    /// Whether the shared histories (differential and property tests) run with the host's measures declared: yes,
    /// unless <c>STATSCACHE_TEST_MEASURES=0</c> (to tell a failure of the measures from one of the built-in statistics).
    /// </summary>
    public static bool MeasuresByDefault => Environment.GetEnvironmentVariable("STATSCACHE_TEST_MEASURES") != "0";

    /// <summary>
    /// The cache bound to <typeparamref name="TContext"/> (registered by the caller), its sources mapped
    /// from <see cref="ChatSession"/> and <see cref="MessageVersion"/>; version tags carry their team in
    /// the <see cref="HostShape.TeamScopedIds"/> shape. <paramref name="configure"/> runs after the defaults.
    /// </summary>
    public static StatisticsCacheBuilder AddCache<TContext>(IServiceCollection services, HostShape shape, Action<StatisticsCacheOptions>? configure = null)
        where TContext : DbContext
    {
        var builder = services.AddStatisticsCache(o =>
            {
                o.HumanMessages.Sql = HumanMessagesSql;
                configure?.Invoke(o);
            })
            .UseDbContext<TContext>()
            .MapSessions<ChatSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt });
        return shape == HostShape.TeamScopedIds
            ? builder.MapVersions<MessageVersion>(v => new { v.TeamId, v.SessionId, Version = v.Label, v.CreatedAt })
            : builder.MapVersions<MessageVersion>(v => new { v.SessionId, Version = v.Label, v.CreatedAt });
    }

    /// <summary>Registers the host's DbContext of the given shape (<see cref="HostDbContext"/> or <see cref="TeamScopedHostDbContext"/>) and a cache bound to it.</summary>
    public static void AddHostAndCache(IServiceCollection services, string connectionString, HostShape shape, Action<StatisticsCacheOptions> configure)
    {
        if (shape == HostShape.TeamScopedIds)
        {
            services.AddDbContext<TeamScopedHostDbContext>(o => o.UseNpgsql(connectionString));
            AddCache<TeamScopedHostDbContext>(services, shape, configure);
            return;
        }

        services.AddDbContext<HostDbContext>(o => o.UseNpgsql(connectionString));
        AddCache<HostDbContext>(services, shape, configure);
    }

    /// <summary>
    /// Registers a host of the given shape and key types and a cache over it. <see cref="HostKeys.Int64"/>
    /// is <see cref="AddHostAndCache(IServiceCollection, string, HostShape, Action{StatisticsCacheOptions})"/>
    /// itself; other key types register the shape's keyed context
    /// (<see cref="KeyedHostModel.ContextType"/>) with sources mapped from its entities, or, with
    /// <see cref="HostSources.Sql"/>, a cache that knows no DbContext: raw SQL sources over the same tables
    /// and the key types declared in <see cref="StatisticsCacheOptions.Keys"/>.
    /// </summary>
    public static void AddHostAndCache(IServiceCollection services, string connectionString, HostShape shape, HostKeys keys, Action<StatisticsCacheOptions> configure, HostSources sources = HostSources.EntityModel)
    {
        if (sources == HostSources.Sql)
        {
            AddSqlSourcedCache(services, connectionString, shape, keys, configure);
            return;
        }

        if (keys.IsInt64)
        {
            AddHostAndCache(services, connectionString, shape, configure);
            return;
        }

        typeof(HostWiring).GetMethod(nameof(AddKeyedHostAndCache), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(keys.ClrTypes)
            .Invoke(null, [services, connectionString, shape, configure]);
    }

    /// <summary>The host's sessions as a SELECT with the canonical column names (the <see cref="HostSources.Sql"/> host).</summary>
    public const string SessionsSql = "SELECT team_id, experiment_id, id AS session_id, participant_id, created_at FROM chat_sessions";

    /// <summary>The host's version tags as a SELECT with the canonical column names; with their team in the <see cref="HostShape.TeamScopedIds"/> shape.</summary>
    public static string VersionsSql(HostShape shape) => shape == HostShape.TeamScopedIds
        ? "SELECT team_id, session_id, version_label AS version, created_at FROM message_versions"
        : "SELECT session_id, version_label AS version, created_at FROM message_versions";

    private static void AddKeyedHostAndCache<TTeamId, TExperimentId, TSessionId, TParticipantId>(IServiceCollection services, string connectionString, HostShape shape, Action<StatisticsCacheOptions> configure)
        where TTeamId : struct
        where TExperimentId : struct
        where TSessionId : struct
        where TParticipantId : struct
    {
        StatisticsCacheBuilder builder;
        if (shape == HostShape.TeamScopedIds)
        {
            services.AddDbContext<TeamScopedKeyedHostDbContext<TTeamId, TExperimentId, TSessionId, TParticipantId>>(o => o.UseNpgsql(connectionString));
            builder = AddKeyedCache<TeamScopedKeyedHostDbContext<TTeamId, TExperimentId, TSessionId, TParticipantId>, TTeamId, TExperimentId, TSessionId, TParticipantId>(services, configure);
            builder.MapVersions<MessageVersion<TTeamId, TSessionId>>(v => new { v.TeamId, v.SessionId, Version = v.Label, v.CreatedAt });
            return;
        }

        services.AddDbContext<KeyedHostDbContext<TTeamId, TExperimentId, TSessionId, TParticipantId>>(o => o.UseNpgsql(connectionString));
        builder = AddKeyedCache<KeyedHostDbContext<TTeamId, TExperimentId, TSessionId, TParticipantId>, TTeamId, TExperimentId, TSessionId, TParticipantId>(services, configure);
        builder.MapVersions<MessageVersion<TTeamId, TSessionId>>(v => new { v.SessionId, Version = v.Label, v.CreatedAt });
    }

    /// <summary>The cache bound to a keyed host context, sessions mapped from its entity (the key types come from the EF model).</summary>
    private static StatisticsCacheBuilder AddKeyedCache<TContext, TTeamId, TExperimentId, TSessionId, TParticipantId>(IServiceCollection services, Action<StatisticsCacheOptions> configure)
        where TContext : DbContext
        where TTeamId : struct
        where TExperimentId : struct
        where TSessionId : struct
        where TParticipantId : struct =>
        services.AddStatisticsCache(o =>
            {
                o.HumanMessages.Sql = HumanMessagesSql;
                configure(o);
            })
            .UseDbContext<TContext>()
            .MapSessions<ChatSession<TTeamId, TExperimentId, TSessionId, TParticipantId>>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt });

    private static void AddSqlSourcedCache(IServiceCollection services, string connectionString, HostShape shape, HostKeys keys, Action<StatisticsCacheOptions> configure) =>
        services.AddStatisticsCache(o =>
        {
            o.ConnectionString = connectionString;
            o.Sessions.Sql = SessionsSql;
            o.Sessions.SessionIdColumn = "id"; // the tracked table's column names (the SQL's are canonical)
            o.Sessions.ChangeTrackingTable = "chat_sessions";
            o.HumanMessages.Sql = HumanMessagesSql;
            o.Versions.Sql = VersionsSql(shape);
            o.Versions.VersionColumn = "version_label";
            o.Versions.ChangeTrackingTable = "message_versions";
            o.Versions.TeamIdColumn = shape == HostShape.TeamScopedIds ? "team_id" : null;
            o.Keys.TeamId = keys.Team.Type;
            o.Keys.ExperimentId = keys.Experiment.Type;
            o.Keys.SessionId = keys.Session.Type;
            o.Keys.ParticipantId = keys.Participant.Type;
            configure(o);
        });

    /// <summary>
    /// Creates the host's tables and the cache's for a host registered by
    /// <see cref="AddHostAndCache(IServiceCollection, string, HostShape, HostKeys, Action{StatisticsCacheOptions}, HostSources)"/>:
    /// EnsureCreated of its context, or for <see cref="HostSources.Sql"/> the host's DDL
    /// (<see cref="KeyedHostSchema"/>) and the cache's own (<c>EnsureTablesCreatedAsync</c>).
    /// </summary>
    public static async Task EnsureCreatedAsync(IServiceProvider services, string connectionString, HostShape shape, HostKeys keys, HostSources sources = HostSources.EntityModel)
    {
        if (sources == HostSources.Sql)
        {
            await using var db = NpgsqlDataSource.Create(connectionString);
            await using (var command = db.CreateCommand(KeyedHostSchema.CreateTablesSql(shape, keys)))
            {
                await command.ExecuteNonQueryAsync();
            }

            await HostCache.Resolve(services, keys).EnsureTablesCreatedAsync();
            return;
        }

        if (keys.IsInt64)
        {
            await EnsureCreatedAsync(services, shape);
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var context = (DbContext)scope.ServiceProvider.GetRequiredService(KeyedHostModel.ContextType(shape, keys));
        await context.Database.EnsureCreatedAsync();
    }

    /// <summary>Creates the host's tables and the cache's (EnsureCreated of the shape's context).</summary>
    public static async Task EnsureCreatedAsync(IServiceProvider services, HostShape shape)
    {
        await using var scope = services.CreateAsyncScope();
        DbContext context = shape == HostShape.TeamScopedIds
            ? scope.ServiceProvider.GetRequiredService<TeamScopedHostDbContext>()
            : scope.ServiceProvider.GetRequiredService<HostDbContext>();
        await context.Database.EnsureCreatedAsync();
    }
}

/// <summary>Where a test host's cache takes its sources from.</summary>
public enum HostSources
{
    /// <summary>Bound to the host's DbContext, sessions and versions mapped from its entity types (key types from the EF model).</summary>
    EntityModel,

    /// <summary>No DbContext: raw SQL sources over the host's tables, key types declared in the options, the cache's tables from its own DDL.</summary>
    Sql,
}

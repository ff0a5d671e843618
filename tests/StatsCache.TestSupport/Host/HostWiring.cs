using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace StatsCache.IntegrationTests.Host;

/// <summary>
/// Registers a host's DbContext of the given shape and a cache bound to it the way a host wires it:
/// sessions and versions mapped from entity types, human messages from a SELECT.
/// </summary>
public static class HostWiring
{
    public static void AddHostAndCache(IServiceCollection services, string connectionString, HostShape shape, Action<StatisticsCacheOptions> configure)
    {
        void Options(StatisticsCacheOptions o)
        {
            o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human";
            configure(o);
        }

        if (shape == HostShape.TeamScopedIds)
        {
            services.AddDbContext<TeamScopedHostDbContext>(o => o.UseNpgsql(connectionString));
            services.AddStatisticsCache(Options)
                .UseDbContext<TeamScopedHostDbContext>()
                .MapSessions<ChatSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt })
                .MapVersions<MessageVersion>(v => new { v.TeamId, v.SessionId, Version = v.Label, v.CreatedAt });
            return;
        }

        services.AddDbContext<HostDbContext>(o => o.UseNpgsql(connectionString));
        services.AddStatisticsCache(Options)
            .UseDbContext<HostDbContext>()
            .MapSessions<ChatSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt })
            .MapVersions<MessageVersion>(v => new { v.SessionId, Version = v.Label, v.CreatedAt });
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

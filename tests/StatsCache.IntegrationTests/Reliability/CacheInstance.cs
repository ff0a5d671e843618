using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StatsCache.IntegrationTests.Host;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// One app instance of the cache, wired like <see cref="CacheHarness"/> wires it (DbContext-bound,
/// entity-mapped sessions and versions, human messages from a SELECT), but with a clock and an
/// application name of its own: property tests need a fresh clock per history on a reused
/// database, and the lock-observation tests need to tell our backends from the writers' in
/// pg_stat_activity.
/// </summary>
public sealed class CacheInstance : IAsyncDisposable
{
    /// <summary>application_name of every backend the cache opens in these tests.</summary>
    public const string MaintenanceApplication = "statscache-maintenance";

    private readonly ServiceProvider _services;

    private CacheInstance(ServiceProvider services, FakeTimeProvider clock)
    {
        _services = services;
        Clock = clock;
        Cache = services.GetRequiredService<IStatisticsCache>();
    }

    public IStatisticsCache Cache { get; }

    public FakeTimeProvider Clock { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public IServiceProvider Services => _services;

    public static CacheInstance Create(string connectionString, FakeTimeProvider clock, Action<StatisticsCacheOptions>? configure = null)
    {
        var cacheConnection = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = MaintenanceApplication }.ConnectionString;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddDbContext<HostDbContext>(o => o.UseNpgsql(connectionString));
        services.AddStatisticsCache(o =>
            {
                o.ConnectionString = cacheConnection;
                o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human";
                configure?.Invoke(o);
            })
            .UseDbContext<HostDbContext>()
            .MapSessions<ChatSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt })
            .MapVersions<MessageVersion>(v => new { v.SessionId, Version = v.Label, v.CreatedAt });
        return new CacheInstance(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), clock);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

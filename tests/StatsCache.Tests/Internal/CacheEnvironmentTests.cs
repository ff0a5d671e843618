using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StatsCache.Internal;

namespace StatsCache.Tests.Internal;

/// <summary>
/// A cache is resolved once, at start-up: the entity mappings options validation resolved against the bound model
/// are what the cache's environment is built from, and it is built whole (SQL, table names, lock key) when the cache
/// is built, not at its first use. The model is built without a database.
/// </summary>
public class CacheEnvironmentTests
{
    [Fact]
    public void TheEnvironmentIsBuiltFromTheResolutionOptionsValidationMade()
    {
        using var provider = Host();

        var env = provider.GetRequiredService<CacheEnvironment>();

        var marker = provider.GetRequiredService<StatisticsCacheMarker>();
        env.Sources.Should().BeSameAs(marker.ResolutionOf(env.Options), "the mappings are resolved once, by validation, and not again");
        env.Sql.Sessions.Should().Contain("\"app_sessions\"", "the mapped entity's table, read from the model");
        env.Tables.State.Should().Be("\"stats\".\"statscache_state\"");
        env.TablesSchema.Should().Be("stats");
        env.LockKey.Should().Be(CacheLockKey.Of(env.Tables.State, env.Options.CacheName));
    }

    [Fact]
    public void AMappingThatDoesNotResolveStopsTheCacheWhenItIsBuilt()
    {
        using var provider = Host(unmapped: true);

        var build = () => provider.GetRequiredService<CacheEnvironment>();

        build.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message
            .Should().Contain(nameof(Unmapped));
    }

    private static ServiceProvider Host(bool unmapped = false)
    {
        var services = new ServiceCollection();
        services.AddDbContext<AppContext>(o => o.UseNpgsql("Host=localhost;Database=never_opened"));
        var builder = services.AddStatisticsCache(o => o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM m").UseDbContext<AppContext>();
        if (unmapped)
        {
            builder.MapSessions<Unmapped>(s => new { s.TeamId, s.ExperimentId, s.SessionId, s.ParticipantId, s.CreatedAt });
        }
        else
        {
            builder.MapSessions<AppSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt });
        }

        return services.BuildServiceProvider();
    }

    public sealed class AppSession
    {
        public long Id { get; set; }

        public long TeamId { get; set; }

        public long ExperimentId { get; set; }

        public long ParticipantId { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    /// <summary>An entity type the model does not have.</summary>
    public sealed class Unmapped
    {
        public long SessionId { get; set; }

        public long TeamId { get; set; }

        public long ExperimentId { get; set; }

        public long ParticipantId { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    public sealed class AppContext(DbContextOptions<AppContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<AppSession>().ToTable("app_sessions");
            modelBuilder.UseStatisticsCache("stats");
        }
    }
}

using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StatsCache.Internal;
using StatsCache.Storage;

namespace StatsCache.Tests.DependencyInjection;

/// <summary>
/// Entity mappings and our table names are resolved against the host's model when the host starts
/// (ValidateOnStart), not at the first refresh: an unsupported key type, a timestamp without time zone or
/// a read model reading a renamed table stops the host with a message naming the entity and member.
/// The model is built without a database.
/// </summary>
public class ModelValidationTests
{
    [Fact]
    public void AGuidSessionKeyStopsTheHostNamingTheEntityMemberAndType()
    {
        using var provider = Host<GuidContext>(b => b.MapSessions<GuidSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt }));

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        var message = start.Should().Throw<OptionsValidationException>().Which.Message;
        // The cache's tables (UseStatisticsCache(): long) store session ids as bigint: a Guid session key cannot join them.
        message.Should().Contain("Keys.SessionId: the cache's tables store it as Int64 (SessionStatistics.SessionId in the model), but MapSessions: GuidSession.Id (column \"Id\", uuid) is Guid");
        message.Should().Contain("UseStatisticsCache<…>() with Guid for SessionId");
    }

    [Fact]
    public void AGuidParticipantAndAnIntVersionAreNamedToo()
    {
        using var provider = Host<GuidContext>(b => b
            .MapSessions<GuidSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Number, ParticipantId = s.Participant, s.CreatedAt })
            .MapVersions<BadVersion>(v => new { v.SessionId, Version = v.Label, v.CreatedAt }));

        var failures = FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().Which.Failures;

        failures.Should().Contain(f => f.Contains("GuidSession.Participant", StringComparison.Ordinal) && f.Contains("Keys.ParticipantId", StringComparison.Ordinal) && f.Contains("is Guid", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("BadVersion.Label", StringComparison.Ordinal) && f.Contains("must be a string", StringComparison.Ordinal));
    }

    [Fact]
    public void ATimestampWithoutTimeZoneIsRefused()
    {
        using var provider = Host<GuidContext>(b => b.MapSessions<GuidSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Number, s.ParticipantId, CreatedAt = s.LocalTime }));

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().Which.Message
            .Should().Contain("GuidSession.LocalTime (column \"LocalTime\", timestamp without time zone) is stored as timestamp without time zone; created_at must be timestamp with time zone");
    }

    [Fact]
    public void IntegerKeysOfAnyWidthAreAccepted()
    {
        using var provider = Host<GuidContext>(b => b.MapSessions<GuidSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Number, s.ParticipantId, s.CreatedAt }));

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate()).Should().NotThrow();
    }

    [Fact]
    public void ASchemaThatIsNotAPlainIdentifierIsRefusedByUseStatisticsCacheNamingTheParameter()
    {
        // Before: UseStatisticsCache("my-stats") threw "Identifier 'my-stats' is not a plain identifier" (parameter
        // 'name') from inside OnModelCreating, so the host's own queries all failed with a message about nothing they wrote.
        var build = () => new ModelBuilder().UseStatisticsCache("my-stats");

        var error = build.Should().Throw<ArgumentException>().Which;
        error.ParamName.Should().Be("schema");
        error.Message.Should().Contain("UseStatisticsCache: schema name 'my-stats' is not a plain identifier").And.Contain("\"my_stats\"");
    }

    [Fact]
    public void ABucketTableRenamedBeforeUseStatisticsCacheIsWhatTheReadModelAndMaintenanceRead()
    {
        using var context = Renamed.Create(before: true);

        var tables = CacheTableNames.FromModel(context.Model);

        tables.Buckets.Should().Be("\"stats\".\"my_buckets\"");
        tables.Totals.Should().Be("\"stats\".\"statscache_experiment_totals\"", "the read model is the totals table, in the schema given");
        tables.State.Should().Be("\"stats\".\"statscache_state\"", "the other tables keep their names in the schema given");
    }

    [Fact]
    public void ABucketTableRenamedAfterUseStatisticsCacheIsWhatMaintenanceReads()
    {
        // The read model is its own table now (not a query of the bucket table), so a later rename is read back too.
        using var context = Renamed.Create(before: false);

        CacheTableNames.FromModel(context.Model).Buckets.Should().Be("\"stats\".\"my_buckets\"");
    }

    private static ServiceProvider Host<TContext>(Action<StatisticsCacheBuilder> map)
        where TContext : DbContext
    {
        var services = new ServiceCollection();
        services.AddDbContext<TContext>(o => o.UseNpgsql("Host=localhost;Database=never_opened"));
        map(services.AddStatisticsCache(o => o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM m").UseDbContext<TContext>());
        return services.BuildServiceProvider();
    }

    public sealed class GuidSession
    {
        public Guid Id { get; set; }

        public long Number { get; set; }

        public long TeamId { get; set; }

        public int ExperimentId { get; set; }

        public long? ParticipantId { get; set; }

        public Guid? Participant { get; set; }

        public DateTime CreatedAt { get; set; }

        public DateTime LocalTime { get; set; }
    }

    public sealed class BadVersion
    {
        public long Id { get; set; }

        public long SessionId { get; set; }

        public int Label { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    private sealed class GuidContext(DbContextOptions<GuidContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<GuidSession>(e =>
            {
                e.Property(s => s.LocalTime).HasColumnType("timestamp without time zone");
                e.HasIndex(s => s.Number).IsUnique();
            });
            modelBuilder.Entity<BadVersion>();
            modelBuilder.UseStatisticsCache();
        }
    }

    private sealed class Renamed(DbContextOptions<Renamed> options, bool before) : DbContext(options)
    {
        public static Renamed Create(bool before) => new(
            new DbContextOptionsBuilder<Renamed>().UseNpgsql("Host=localhost;Database=never_opened")
                .ReplaceService<Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory, ByOrder>().Options,
            before);

        public bool Before => before;

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            if (before)
            {
                modelBuilder.Entity<ExperimentBucket>().ToTable("my_buckets", "stats");
            }

            modelBuilder.UseStatisticsCache("stats");
            if (!before)
            {
                modelBuilder.Entity<ExperimentBucket>().ToTable("my_buckets", "stats");
            }
        }

        private sealed class ByOrder : Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory
        {
            public object Create(DbContext context, bool designTime) => (context.GetType(), ((Renamed)context).Before, designTime);
        }
    }
}

using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StatsCache.Internal;
using StatsCache.Policy;
using StatsCache.Storage;

namespace StatsCache.Tests.Internal;

/// <summary>
/// The cache's key types are resolved once, at start-up: declared (<see cref="StatisticsCacheOptions.Keys"/>), else
/// the cache's own entities in the bound model, else the sources' mappings, else Int64; a declaration the model
/// contradicts, or two sources of one kind in a Guid and an integer, stop the host naming the option and both sides.
/// The models are built without a database.
/// </summary>
public class KeyResolutionTests
{
    [Fact]
    public void WithoutAModelTheDeclaredTypesAreTheKeysAndAnUnsetKindIsInt64()
    {
        var options = new StatisticsCacheOptions();
        options.Sessions.Table = "sessions";
        options.HumanMessages.Table = "messages";
        options.Keys.TeamId = KeyType.Guid;
        options.Keys.SessionId = KeyType.Int32;

        var resolution = SourceResolution.Resolve(options, new StatisticsCacheMarker(), model: null);

        resolution.Problems.Should().BeEmpty();
        resolution.Keys.Should().Be(new CacheKeys(KeyType.Guid, KeyType.Int64, KeyType.Int32, KeyType.Int64));
    }

    [Fact]
    public void AGuidHostMappedWithTheGenericEntitiesResolvesToGuidWithoutADeclaration()
    {
        using var provider = Host<GuidContext>(b => b.MapSessions<GuidSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt }));

        var env = provider.GetRequiredService<CacheEnvironment>();

        env.Keys.Should().Be(new CacheKeys(KeyType.Guid, KeyType.Guid, KeyType.Guid, KeyType.Guid));
        env.Sql.Keys.Should().BeSameAs(env.Keys, "the statements are built with the resolved keys");
        env.Sql.TeamType.Should().Be("uuid");
        env.Tables.Buckets.Should().Be("\"statscache_experiment_buckets\"", "the closed generic entities are found like the long ones");
    }

    [Fact]
    public void AGuidHostDeclaringItsKeysAgreesWithItsModel()
    {
        using var provider = Host<GuidContext>(
            b => b.MapSessions<GuidSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt }),
            o => (o.Keys.TeamId, o.Keys.ExperimentId, o.Keys.SessionId, o.Keys.ParticipantId) = (KeyType.Guid, KeyType.Guid, KeyType.Guid, KeyType.Guid));

        provider.GetRequiredService<CacheEnvironment>().Keys.Should().Be(new CacheKeys(KeyType.Guid, KeyType.Guid, KeyType.Guid, KeyType.Guid));
    }

    [Fact]
    public void ALongHostIsInt64AndAnIntSourceFitsItsBigintTables()
    {
        using var provider = Host<LongContext>(b => b.MapSessions<IntSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt }));

        provider.GetRequiredService<CacheEnvironment>().Keys.Should().Be(CacheKeys.Int64);
    }

    [Fact]
    public void ADeclarationTheModelContradictsStopsTheHostNamingTheOptionTheEntityAndBothTypes()
    {
        using var provider = Host<LongContext>(
            b => b.MapSessions<IntSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt }),
            o => o.Keys.TeamId = KeyType.Guid);

        var failures = Start(provider);

        failures.Should().Contain(f => f.Contains("Keys.TeamId is declared Guid, but the model maps the cache's ExperimentBucket.TeamId as Int64", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("Keys.TeamId is declared Guid, but MapSessions: IntSession.TeamId", StringComparison.Ordinal) && f.Contains("is Int32", StringComparison.Ordinal),
            "the source's int team id does not fit a Guid kind either");
    }

    [Fact]
    public void ADeclaredNarrowerIntegerThanASourceIsRefused()
    {
        using var provider = Host<LongContext>(
            b => b.MapSessions<LongSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt }),
            o => o.Keys.SessionId = KeyType.Int32);

        var failures = Start(provider);

        failures.Should().Contain(f => f.Contains("Keys.SessionId is declared Int32, but the model maps the cache's SessionStatistics.SessionId as Int64", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("Keys.SessionId is declared Int32, but MapSessions: LongSession.Id", StringComparison.Ordinal) && f.Contains("is Int64", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoSourcesDisagreeingOnAKindStopTheHostNamingBoth()
    {
        using var provider = Host<GuidContext>(b => b
            .MapSessions<GuidSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt })
            .MapHumanMessages<LongMessage>(m => new { m.TeamId, m.ExperimentId, m.SessionId, m.CreatedAt }));

        var failures = Start(provider);

        failures.Should().Contain(f => f.Contains("Keys.ExperimentId: the sources disagree on the type of experiment_id: MapSessions: GuidSession.ExperimentId", StringComparison.Ordinal)
            && f.Contains("is Guid, MapHumanMessages: LongMessage.ExperimentId", StringComparison.Ordinal) && f.Contains("is Int64", StringComparison.Ordinal));
    }

    [Fact]
    public void AGuidSourceOnLongTablesSaysHowToMapTheTables()
    {
        using var provider = Host<LongContext>(b => b.MapSessions<GuidSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt }));

        Start(provider).Should().Contain(f => f.Contains("Keys.TeamId: the cache's tables store it as Int64 (ExperimentBucket.TeamId in the model), but MapSessions: GuidSession.TeamId", StringComparison.Ordinal)
            && f.Contains("UseStatisticsCache<…>() with Guid for TeamId", StringComparison.Ordinal));
    }

    [Fact]
    public void CacheKeysNameEachTypeInClrAndSql()
    {
        CacheKeys.SqlType(KeyType.Int64).Should().Be("bigint");
        CacheKeys.SqlType(KeyType.Int32).Should().Be("integer");
        CacheKeys.SqlType(KeyType.Guid).Should().Be("uuid");
        CacheKeys.ClrType(KeyType.Guid).Should().Be<Guid>();
        CacheKeys.Of(typeof(int?)).Should().Be(KeyType.Int32);
        CacheKeys.Of(typeof(short)).Should().BeNull("our tables store integer or bigint, not smallint");
        StatsCache.Sources.SourceKey.Of(typeof(short)).Should().Be(KeyType.Int32, "a short source property widens to an integer kind");
        CacheKeys.Declared(new KeyTypeOptions { ExperimentId = KeyType.Guid }).Should().Be(new CacheKeys(KeyType.Int64, KeyType.Guid, KeyType.Int64, KeyType.Int64));
    }

    [Fact]
    public void TheTablesScriptFollowsTheKeysAndTheLongScriptIsTheMigrationOfUseStatisticsCache()
    {
        var ints = CacheTablesScript.Generate("stats", new CacheKeys(KeyType.Int32, KeyType.Int32, KeyType.Int32, KeyType.Int32));
        ints.Should().Contain("team_id integer NOT NULL").And.Contain("backfill_experiments integer[]").And.NotContain("team_id bigint");

        CacheTablesScript.Generate("stats", CacheKeys.Int64).Should().Be(CacheTablesScript.Generate("stats"));
    }

    [Fact]
    public void UseStatisticsCacheRefusesAKeyTypeItCannotStore()
    {
        var build = () => new ModelBuilder().UseStatisticsCache<Guid, Guid, short, Guid>();

        build.Should().Throw<ArgumentException>().Which.Message.Should().Contain("TSessionId is Int16; StatsCache stores ids of type long, int or Guid");
    }

    [Fact]
    public void TheGenericEntitiesMapTheSameTablesAndColumnsAsTheLongOnes()
    {
        using var context = new GuidContext(new DbContextOptionsBuilder<GuidContext>().UseNpgsql("Host=localhost;Database=never_opened").Options);

        var buckets = context.Model.FindEntityType(typeof(ExperimentBucket<Guid, Guid>))!;
        buckets.GetTableName().Should().Be("statscache_experiment_buckets");
        buckets.FindProperty(nameof(ExperimentBucket.TeamId))!.GetColumnName().Should().Be("team_id");
        buckets.FindProperty(nameof(ExperimentBucket.TeamId))!.GetColumnType().Should().Be("uuid");
        CacheTableNames.FromModel(context.Model).Should().Be(CacheTableNames.Default(null));
    }

    private static List<string> Start(ServiceProvider provider) =>
        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().Which.Failures.ToList();

    private static ServiceProvider Host<TContext>(Action<StatisticsCacheBuilder> map, Action<StatisticsCacheOptions>? configure = null)
        where TContext : DbContext
    {
        var services = new ServiceCollection();
        services.AddDbContext<TContext>(o => o.UseNpgsql("Host=localhost;Database=never_opened"));
        map(services.AddStatisticsCache(o =>
        {
            o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM m";
            configure?.Invoke(o);
        }).UseDbContext<TContext>());
        return services.BuildServiceProvider();
    }

    public sealed class GuidSession
    {
        public Guid Id { get; set; }

        public Guid TeamId { get; set; }

        public Guid ExperimentId { get; set; }

        public Guid? ParticipantId { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    public sealed class LongMessage
    {
        public long Id { get; set; }

        public Guid TeamId { get; set; }

        public long ExperimentId { get; set; }

        public Guid SessionId { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    public sealed class IntSession
    {
        public int Id { get; set; }

        public int TeamId { get; set; }

        public int ExperimentId { get; set; }

        public int? ParticipantId { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    public sealed class LongSession
    {
        public long Id { get; set; }

        public long TeamId { get; set; }

        public long ExperimentId { get; set; }

        public long? ParticipantId { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    private sealed class GuidContext(DbContextOptions<GuidContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<GuidSession>();
            modelBuilder.Entity<LongMessage>();
            modelBuilder.UseStatisticsCache<Guid, Guid, Guid, Guid>();
        }
    }

    private sealed class LongContext(DbContextOptions<LongContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<IntSession>();
            modelBuilder.Entity<LongSession>();
            modelBuilder.Entity<GuidSession>();
            modelBuilder.UseStatisticsCache();
        }
    }
}

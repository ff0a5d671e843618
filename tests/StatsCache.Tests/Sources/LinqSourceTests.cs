using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StatsCache.Internal;
using StatsCache.Sources;

namespace StatsCache.Tests.Sources;

/// <summary>
/// Sources written as EF Core LINQ queries over the host's DbContext: translated once, at start-up (options
/// validation), to a SELECT with the canonical column names; refused with the source named when the query
/// cannot be a source. The context is built without a database (translation opens no connection).
/// </summary>
public class LinqSourceTests
{
    private const string HumanMessagesOfChats =
        "SELECT q.\"TeamId\" AS team_id, q.\"ExperimentId\" AS experiment_id, q.\"SessionId\" AS session_id, q.\"CreatedAt\" AS created_at\nFROM (\n" +
        "SELECT c.team_id AS \"TeamId\", c.experiment_id AS \"ExperimentId\", m.chat_id AS \"SessionId\", m.created_at AS \"CreatedAt\"\n" +
        "FROM chat.messages AS m\n" +
        "INNER JOIN chat.chats AS c ON m.chat_id = c.id\n" +
        "WHERE m.role = 'user'\n) AS q";

    [Fact]
    public void AFilterAndANavigationBecomeOneSelectWithTheCanonicalColumnNames()
    {
        using var provider = Host(b => b.MapHumanMessages<ChatContext>(db => db.Messages
            .Where(m => m.Role == "user")
            .Select(m => new { m.Chat.TeamId, m.Chat.ExperimentId, SessionId = m.ChatId, m.CreatedAt })));

        var resolution = Resolve(provider);

        resolution.Problems.Should().BeEmpty();
        resolution.HumanMessages.Table.Should().BeNull();
        resolution.HumanMessages.Sql.Should().Be(HumanMessagesOfChats);
        SourceRelation.ToSql(resolution.HumanMessages).Should().Be("(" + HumanMessagesOfChats + "\n)");
    }

    [Fact]
    public void TheTextIsTheSameOnEveryStart()
    {
        static string Start()
        {
            using var provider = Host(b => b.MapHumanMessages<ChatContext>(db => db.Messages
                .Where(m => m.Role == "user")
                .Select(m => new { m.Chat.TeamId, m.Chat.ExperimentId, SessionId = m.ChatId, m.CreatedAt })));
            return Resolve(provider).HumanMessages.Sql!;
        }

        Start().Should().Be(Start()).And.Be(HumanMessagesOfChats);
    }

    [Fact]
    public void TheQueryIsTranslatedOnceAndLaterResolutionsReuseTheText()
    {
        var built = 0;
        using var provider = Host(b => b.MapHumanMessages<ChatContext>(db =>
        {
            built++;
            return db.Messages.Select(m => new { m.Chat.TeamId, m.Chat.ExperimentId, SessionId = m.ChatId, m.CreatedAt });
        }));

        provider.GetRequiredService<IStartupValidator>().Validate();
        var marker = provider.GetRequiredService<StatisticsCacheRegistry>().Find(null)!;
        using var scope = provider.CreateScope();
        var context = scope.ServiceProvider.GetRequiredService<ChatContext>();
        var options = provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;
        var again = SourceResolution.Resolve(options, marker, context);
        var modelOnly = SourceResolution.Resolve(options, marker, context.Model);

        built.Should().Be(1, "the query is built and translated once per registration");
        modelOnly.Problems.Should().BeEmpty();
        modelOnly.HumanMessages.Sql.Should().Be(again.HumanMessages.Sql).And.Contain("FROM chat.messages AS m");
    }

    [Fact]
    public void TheFirstTranslationLogsTheTextsHashOnce()
    {
        var logs = new CollectingLoggerProvider();
        using var provider = Host(
            b => b.MapHumanMessages<ChatContext>(db => db.Messages.Where(m => m.Role == "user").Select(m => new { m.Chat.TeamId, m.Chat.ExperimentId, SessionId = m.ChatId, m.CreatedAt })),
            services: s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)));

        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetRequiredService<IStartupValidator>().Validate();
        _ = provider.GetRequiredService<IOptionsMonitor<StatisticsCacheOptions>>().Get(Options.DefaultName);

        logs.Entries.Where(e => e.Id == 360).Should().ContainSingle().Which.Message.Should()
            .Be($"StatsCache the default cache: MapHumanMessages<ChatContext> (LINQ query) translated to SQL, text sha256 {LinqSourceMapping.Hash(HumanMessagesOfChats)}. " +
                "A new hash means the source counts differently: verify or rebuild the cache");
        logs.Entries.Where(e => e.Id == 361).Should().ContainSingle().Which.Message.Should().EndWith(HumanMessagesOfChats);
    }

    [Fact]
    public void EntityMappingsAndLinqQueriesMixAndTheEntityOverloadStillResolves()
    {
        using var provider = Host(b => b
            .MapSessions<Chat>(c => new { c.TeamId, c.ExperimentId, SessionId = c.Id, c.ParticipantId, c.CreatedAt })
            .MapHumanMessages<ChatContext>(db => db.Messages.Where(m => m.Role == "user").Select(m => new { m.Chat.TeamId, m.Chat.ExperimentId, SessionId = m.ChatId, m.CreatedAt }))
            .MapVersions<ChatContext>(db => db.Messages.Where(m => m.Version != null).Select(m => new { m.Chat.TeamId, SessionId = m.ChatId, m.Version, m.CreatedAt })));

        var resolution = Resolve(provider);

        resolution.Problems.Should().BeEmpty();
        (resolution.Sessions.Schema, resolution.Sessions.Table, resolution.Sessions.Sql).Should().Be(("chat", "chats", null));
        resolution.Versions.Sql.Should().StartWith("SELECT q.\"TeamId\" AS team_id, q.\"SessionId\" AS session_id, q.\"Version\" AS version, q.\"CreatedAt\" AS created_at\n")
            .And.Contain("WHERE m.version IS NOT NULL");
        resolution.Versions.HasTeam.Should().BeTrue("a version query naming TeamId joins tags to sessions by team too");
    }

    [Fact]
    public void AConstantIsInlinedAsALiteralAndEfConstantInlinesAFixedValue()
    {
        var role = "user";
        using var provider = Host(b => b.MapHumanMessages<ChatContext>(db => db.Messages
            .Where(m => m.Role == EF.Constant(role) && m.Length > 3)
            .Select(m => new { m.Chat.TeamId, m.Chat.ExperimentId, SessionId = m.ChatId, m.CreatedAt })));

        var resolution = Resolve(provider);

        resolution.Problems.Should().BeEmpty();
        resolution.HumanMessages.Sql.Should().Contain("WHERE m.role = 'user' AND m.length > 3");
    }

    [Fact]
    public void ACapturedVariableIsRefusedNamingTheSourceAndTheParameter()
    {
        var role = "user";
        using var provider = Host(b => b.MapHumanMessages<ChatContext>(db => db.Messages
            .Where(m => m.Role == role)
            .Select(m => new { m.Chat.TeamId, m.Chat.ExperimentId, SessionId = m.ChatId, m.CreatedAt })));

        var message = StartFails(provider);

        message.Should().Contain("MapHumanMessages<ChatContext> (LINQ query): its SQL has parameters (@role")
            .And.Contain("must not depend on a run-time value").And.Contain("EF.Constant(");
    }

    [Fact]
    public void TheClockIsRefused()
    {
        using var provider = Host(b => b.MapSessions<ChatContext>(db => db.Chats
            .Where(c => c.CreatedAt > DateTime.UtcNow.AddDays(-30))
            .Select(c => new { c.TeamId, c.ExperimentId, SessionId = c.Id, c.ParticipantId, c.CreatedAt })));

        StartFails(provider).Should().Contain("MapSessions<ChatContext> (LINQ query): the query reads DateTime.UtcNow");
    }

    [Fact]
    public void AGuidKeyOnLongTablesIsNamedWithBothTypes()
    {
        // A Guid key is a key type now, but the model maps the cache's tables with long ids (UseStatisticsCache()).
        using var provider = Host(b => b.MapSessions<ChatContext>(db => db.Chats
            .Select(c => new { c.TeamId, ExperimentId = c.Key, SessionId = c.Id, c.ParticipantId, c.CreatedAt })));

        StartFails(provider).Should().Contain(
            "Keys.ExperimentId: the cache's tables store it as Int64 (ExperimentBucket.ExperimentId in the model), but MapSessions<ChatContext> (LINQ query): member ExperimentId is Guid");
    }

    [Fact]
    public void AMissingRoleAndAnUnknownMemberAreEachNamedAndAGuidKeyIsNoProblemByItself()
    {
        using var provider = Host(b => b.MapSessions<ChatContext>(db => db.Chats
            .Select(c => new { c.TeamId, ExperimentId = c.Key, SessionId = c.Id, c.CreatedAt, c.Title })));

        var failures = FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().Which.Failures.ToList();

        failures.Should().Contain(f => f.Contains("MapSessions<ChatContext> (LINQ query): the projection does not name ParticipantId", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("'Title' is not a role; the roles are TeamId, ExperimentId, SessionId, ParticipantId, CreatedAt", StringComparison.Ordinal));
        failures.Should().NotContain(f => f.Contains("ExperimentId is Guid", StringComparison.Ordinal), "a Guid key is a supported key type (checked against the tables once the query translates)");
    }

    [Fact]
    public void AQueryThatDoesNotEndInAProjectionIsRefused()
    {
        using var provider = Host(b => b.MapSessions<ChatContext>(db => db.Chats.Where(c => c.TeamId > 0)));

        StartFails(provider).Should().Contain("MapSessions<ChatContext> (LINQ query): the query must end in .Select(x => new { TeamId, ExperimentId, SessionId, ParticipantId, CreatedAt })");
    }

    [Fact]
    public void AFailedMappingOfAnUnconfiguredSourceIsTheOnlyProblemNamed()
    {
        var services = new ServiceCollection();
        services.AddDbContext<ChatContext>(o => o.UseNpgsql("Host=localhost;Database=never_opened"));
        services.AddStatisticsCache(o => o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM m")
            .UseDbContext<ChatContext>()
            .MapSessions<ChatContext>(db => db.Chats.Select(c => new { c.TeamId, c.ExperimentId, SessionId = c.Id, c.CreatedAt }));
        using var provider = services.BuildServiceProvider();

        var failures = FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().Which.Failures;

        failures.Should().ContainSingle().Which.Should().Be("StatsCache: MapSessions<ChatContext> (LINQ query): the projection does not name ParticipantId.");
    }

    [Fact]
    public void TakeAndOrderByAreRefusedButASubQueryInsideAFilterMayUseThem()
    {
        using var refused = Host(b => b.MapSessions<ChatContext>(db => db.Chats
            .OrderBy(c => c.CreatedAt).Take(100)
            .Select(c => new { c.TeamId, c.ExperimentId, SessionId = c.Id, c.ParticipantId, c.CreatedAt })));
        using var accepted = Host(b => b.MapSessions<ChatContext>(db => db.Chats
            .Where(c => db.Messages.Where(m => m.ChatId == c.Id).OrderBy(m => m.CreatedAt).Select(m => m.Role).FirstOrDefault() == "user")
            .Select(c => new { c.TeamId, c.ExperimentId, SessionId = c.Id, c.ParticipantId, c.CreatedAt })));

        var message = StartFails(refused);

        message.Should().Contain("MapSessions<ChatContext> (LINQ query): the query uses .Take(…): a source is all of its rows")
            .And.Contain("the query uses .OrderBy(…)");
        Resolve(accepted).Problems.Should().BeEmpty("the first message of a chat is a filter, not an order of the source");
    }

    [Fact]
    public void AnExpressionEfCannotTranslateIsRefusedWithEfsReason()
    {
        using var provider = Host(b => b.MapSessions<ChatContext>(db => db.Chats
            .Where(c => ClientOnly(c.Title))
            .Select(c => new { c.TeamId, c.ExperimentId, SessionId = c.Id, c.ParticipantId, c.CreatedAt })));

        StartFails(provider).Should().Contain("MapSessions<ChatContext> (LINQ query): EF Core cannot translate the query to SQL").And.Contain("ClientOnly");
    }

    [Fact]
    public void AQueryOverAnotherContextThanTheBoundOneIsRefused()
    {
        using var provider = Host(b => b.MapSessions<OtherContext>(db => db.Chats
            .Select(c => new { c.TeamId, c.ExperimentId, SessionId = c.Id, c.ParticipantId, c.CreatedAt })));

        StartFails(provider).Should().Contain("MapSessions<OtherContext> (LINQ query): the query is written over OtherContext, but the cache is bound to ChatContext");
    }

    [Fact]
    public void AVersionQueryWithoutTeamIdWhileTeamIdColumnIsSetIsRefused()
    {
        using var provider = Host(
            b => b.MapVersions<ChatContext>(db => db.Messages.Where(m => m.Version != null).Select(m => new { SessionId = m.ChatId, m.Version, m.CreatedAt })),
            o => o.Versions.TeamIdColumn = "team_id");

        StartFails(provider).Should().Contain("MapVersions<ChatContext> (LINQ query): Versions.TeamIdColumn is 'team_id' but the query names no TeamId");
    }

    [Fact]
    public void WithoutUseDbContextTheHostIsToldToBindOne()
    {
        var services = new ServiceCollection();
        services.AddDbContext<ChatContext>(o => o.UseNpgsql("Host=localhost;Database=never_opened"));
        services.AddStatisticsCache(o => o.Sessions.Sql = "SELECT 1 AS team_id")
            .MapHumanMessages<ChatContext>(db => db.Messages.Select(m => new { m.Chat.TeamId, m.Chat.ExperimentId, SessionId = m.ChatId, m.CreatedAt }));
        using var provider = services.BuildServiceProvider();

        StartFails(provider).Should().Contain("call UseDbContext<TContext>()");
    }

    private static bool ClientOnly(string title) => title.GetHashCode(StringComparison.Ordinal) % 2 == 0;

    private static string StartFails(ServiceProvider provider) =>
        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().Which.Message;

    private static SourceResolution Resolve(ServiceProvider provider)
    {
        provider.GetRequiredService<IStartupValidator>().Validate();
        var marker = provider.GetRequiredService<StatisticsCacheRegistry>().Find(null)!;
        using var scope = provider.CreateScope();
        return SourceResolution.Resolve(provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value, marker, scope.ServiceProvider.GetRequiredService<ChatContext>().Model);
    }

    private static ServiceProvider Host(Action<StatisticsCacheBuilder> map, Action<StatisticsCacheOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        return Host(collection, map, configure);
    }

    private static ServiceProvider Host(ServiceCollection services, Action<StatisticsCacheBuilder> map, Action<StatisticsCacheOptions>? configure)
    {
        services.AddDbContext<ChatContext>(o => o.UseNpgsql("Host=localhost;Database=never_opened"));
        services.AddDbContext<OtherContext>(o => o.UseNpgsql("Host=localhost;Database=never_opened"));
        map(services.AddStatisticsCache(o =>
        {
            o.Sessions.Sql = "SELECT team_id, experiment_id, session_id, participant_id, created_at FROM s";
            o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM m";
            configure?.Invoke(o);
        }).UseDbContext<ChatContext>());
        return services.BuildServiceProvider();
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        public List<(int Id, string Message)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Collector(Entries);

        public void Dispose()
        {
        }

        private sealed class Collector(List<(int Id, string Message)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (entries)
                {
                    entries.Add((eventId.Id, formatter(state, exception)));
                }
            }
        }
    }

    public sealed class Chat
    {
        public long Id { get; set; }

        public long TeamId { get; set; }

        public long ExperimentId { get; set; }

        public long? ParticipantId { get; set; }

        public Guid Key { get; set; }

        public string Title { get; set; } = "";

        public DateTime CreatedAt { get; set; }
    }

    public sealed class Message
    {
        public long Id { get; set; }

        public long ChatId { get; set; }

        public Chat Chat { get; set; } = null!;

        public string Role { get; set; } = "";

        public int Length { get; set; }

        public string? Version { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    public sealed class ChatContext(DbContextOptions<ChatContext> options) : DbContext(options)
    {
        public DbSet<Chat> Chats => Set<Chat>();

        public DbSet<Message> Messages => Set<Message>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.HasDefaultSchema("chat");
            modelBuilder.Entity<Chat>(e =>
            {
                e.ToTable("chats");
                e.Property(c => c.Id).HasColumnName("id");
                e.Property(c => c.TeamId).HasColumnName("team_id");
                e.Property(c => c.ExperimentId).HasColumnName("experiment_id");
                e.Property(c => c.ParticipantId).HasColumnName("participant_id");
                e.Property(c => c.Key).HasColumnName("key");
                e.Property(c => c.Title).HasColumnName("title");
                e.Property(c => c.CreatedAt).HasColumnName("created_at");
            });
            modelBuilder.Entity<Message>(e =>
            {
                e.ToTable("messages");
                e.Property(m => m.Id).HasColumnName("id");
                e.Property(m => m.ChatId).HasColumnName("chat_id");
                e.Property(m => m.Role).HasColumnName("role");
                e.Property(m => m.Length).HasColumnName("length");
                e.Property(m => m.Version).HasColumnName("version");
                e.Property(m => m.CreatedAt).HasColumnName("created_at");
                e.HasOne(m => m.Chat).WithMany().HasForeignKey(m => m.ChatId);
            });
            modelBuilder.UseStatisticsCache();
        }
    }

    public sealed class OtherContext(DbContextOptions<OtherContext> options) : DbContext(options)
    {
        public DbSet<Chat> Chats => Set<Chat>();

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseStatisticsCache();
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Reads;

/// <summary>
/// A cache whose three sources are EF Core LINQ queries over a host context with navigations, over the
/// integration host's tables: sessions of a "sandbox" chatbot are filtered out through the session's
/// experiment, human messages are the messages with <c>IsHuman</c> whose team and experiment come through the
/// message's session (and its experiment's name), version tags come with their session's team. Built, refreshed
/// and read in every mode, every total equals live SQL written by hand with the same joins and filters, and the
/// filtered-out rows (bot messages, the sandbox's sessions and messages) are not counted.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LinqSourceTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 9, 1, 0, 30, 0, DateTimeKind.Utc);

    private const string Sandbox = "sandbox";

    /// <summary>The oracle's sessions: not those of the sandbox chatbot.</summary>
    private const string LiveSessions = """
        (SELECT s.id, s.team_id, s.experiment_id, s.participant_id, s.created_at
         FROM chat_sessions s JOIN experiments e ON e.id = s.experiment_id WHERE e.name <> 'sandbox')
        """;

    /// <summary>The oracle's human messages: team and experiment of the message's session, not of the sandbox.</summary>
    private const string LiveHumanMessages = """
        (SELECT s.team_id, s.experiment_id, m.session_id, m.created_at
         FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id JOIN experiments e ON e.id = s.experiment_id
         WHERE m.is_human AND e.name <> 'sandbox')
        """;

    private const string LiveVersions = "(SELECT s.team_id, v.session_id, v.version_label, v.created_at FROM message_versions v JOIN chat_sessions s ON s.id = v.session_id)";

    [Fact]
    public async Task FilteredAndNavigatedQueriesGiveTheTotalsOfTheEquivalentLiveSql()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await AddExperimentsAsync(h, (10, 1, "support bot"), (11, 1, "sales bot"), (12, 1, Sandbox), (20, 2, "other team's bot"));
        var s1 = await h.Data.AddSessionAsync(1, 10, 100, Start.AddHours(-30));
        var s2 = await h.Data.AddSessionAsync(1, 10, 101, Start.AddHours(-20));
        var s3 = await h.Data.AddSessionAsync(1, 11, 100, Start.AddHours(-10));
        var sandbox = await h.Data.AddSessionAsync(1, 12, 102, Start.AddHours(-5));
        var other = await h.Data.AddSessionAsync(2, 20, 200, Start.AddHours(-6));
        await h.Data.AddMessagesAsync(1, 10, s1, [Start.AddHours(-29), Start.AddHours(-28), Start.AddHours(-27)], human: true, version: "v1");
        await h.Data.AddMessagesAsync(1, 10, s1, [Start.AddHours(-29), Start.AddHours(-26)], human: false, version: "v2");
        await h.Data.AddMessagesAsync(1, 10, s2, [Start.AddHours(-19)], human: true);
        await h.Data.AddMessagesAsync(1, 10, s2, [Start.AddHours(-18), Start.AddHours(-17)], human: false);
        await h.Data.AddMessagesAsync(1, 11, s3, [Start.AddHours(-9), Start.AddHours(-8)], human: true, version: "v10");
        await h.Data.AddMessagesAsync(1, 12, sandbox, [Start.AddHours(-4), Start.AddHours(-3), Start.AddHours(-2)], human: true, version: "v9");
        await h.Data.AddMessagesAsync(2, 20, other, [Start.AddHours(-5)], human: true);

        await using var provider = BuildCache(h);
        var cache = provider.GetRequiredService<IStatisticsCache>();
        var live = new LiveStatistics(h.Db, LiveSessions, LiveHumanMessages, LiveVersions);

        await cache.RefreshAsync();
        await AssertExactAsync(cache, live, h.Now, "after the first build");

        var cached = await cache.GetExperimentTotalsAsync(1, [10, 11, 12], ReadMode.Cached);
        cached[10].SessionCount.Should().Be(2);
        cached[10].HumanMessageCount.Should().Be(4, "the four bot messages of experiment 10 are filtered out by the query's Where");
        cached[11].HumanMessageCount.Should().Be(2);
        (cached.TryGetValue(12, out var filtered) ? filtered : ExperimentStats.Empty).Should().BeEquivalentTo(ExperimentStats.Empty,
            "the sandbox chatbot's sessions and messages are filtered out through the navigation to its experiment");
        (await cache.GetSessionTotalsAsync(1, [s1], ReadMode.Cached))[s1].Versions.Should().Equal("v1", "v2");

        // Rows written after the refresh: the real-time tail reads them through the same translated SQL.
        h.Advance(TimeSpan.FromMinutes(20));
        await h.Data.AddMessagesAsync(1, 10, s2, [h.Now.AddMinutes(-5)], human: true, version: "v3");
        await h.Data.AddMessagesAsync(1, 10, s2, [h.Now.AddMinutes(-4)], human: false);
        await h.Data.AddMessagesAsync(1, 12, sandbox, [h.Now.AddMinutes(-3)], human: true);
        var s4 = await h.Data.AddSessionAsync(1, 11, 103, h.Now.AddMinutes(-2));
        await h.Data.AddMessagesAsync(1, 11, s4, [h.Now.AddMinutes(-1)], human: true);
        await AssertExactAsync(cache, live, h.Now, "in real-time mode before the next refresh", ReadMode.RealTime, ReadMode.Live);

        await cache.RefreshAsync();
        await AssertExactAsync(cache, live, h.Now, "after the second refresh");
        (await cache.GetExperimentTotalsAsync(1, [10], ReadMode.Cached))[10].HumanMessageCount.Should().Be(5);
        (await cache.VerifyAsync()).Clean.Should().BeTrue("verify recounts the ranges from the same translated source");
    }

    /// <summary>
    /// Version labels that arrive with their session (committed in the same transaction) need no timestamp of their
    /// own: the version query takes the session's through the navigation. The rows' own created_at holds a value the
    /// host invented (the epoch here) and is never read.
    /// </summary>
    [Fact]
    public async Task VersionsThatArriveWithTheirSessionTakeTheSessionsTime()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await AddExperimentsAsync(h, (10, 1, "support bot"), (11, 1, "sales bot"), (20, 2, "other team's bot"));
        var s1 = await AddSessionWithVersionsAsync(h, 1, 10, 100, Start.AddHours(-30), "v1", "v2");
        var s2 = await AddSessionWithVersionsAsync(h, 1, 11, 101, Start.AddHours(-3), "v10");
        var other = await AddSessionWithVersionsAsync(h, 2, 20, 200, Start.AddHours(-2), "v1");
        await h.Data.AddMessagesAsync(1, 10, s1, [Start.AddHours(-29)], human: true);
        await h.Data.AddMessagesAsync(2, 20, other, [Start.AddHours(-1)], human: true);

        await using var provider = BuildCache(h, db => db.Versions.Select(v => new { v.Session.TeamId, v.SessionId, Version = v.Label, v.Session.CreatedAt }));
        var cache = provider.GetRequiredService<IStatisticsCache>();
        var live = new LiveStatistics(h.Db, LiveSessions, LiveHumanMessages,
            "(SELECT s.team_id, v.session_id, v.version_label, s.created_at FROM message_versions v JOIN chat_sessions s ON s.id = v.session_id)");

        await cache.RefreshAsync();
        await AssertExactAsync(cache, live, h.Now, "after the first build");
        (await cache.GetSessionTotalsAsync(1, [s1, s2], ReadMode.Cached))[s2].Versions.Should().Equal("v10");

        // A session with its labels after the refresh: the real-time tail finds the labels by the session's time.
        h.Advance(TimeSpan.FromMinutes(20));
        var s3 = await AddSessionWithVersionsAsync(h, 1, 10, 102, h.Now.AddMinutes(-5), "v3");
        await AssertExactAsync(cache, live, h.Now, "in real-time mode before the next refresh", ReadMode.RealTime, ReadMode.Live);
        (await cache.GetSessionTotalsAsync(1, [s3], ReadMode.RealTime))[s3].Versions.Should().Equal("v3");

        await cache.RefreshAsync();
        await AssertExactAsync(cache, live, h.Now, "after the second refresh");
        (await cache.GetSessionTotalsAsync(1, [s3], ReadMode.Cached))[s3].Versions.Should().Equal("v3");
    }

    /// <summary>A session and its version labels in one transaction; the labels' own created_at is a made-up value.</summary>
    private static async Task<long> AddSessionWithVersionsAsync(CacheHarness h, long team, long experiment, long participant, DateTime createdAt, params string[] labels)
    {
        await using var connection = await h.Db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var id = await h.Data.AddSessionAsync(team, experiment, participant, createdAt, connection, transaction);
        await using (var command = new Npgsql.NpgsqlCommand("INSERT INTO message_versions (session_id, version_label, created_at) SELECT @session, unnest(@labels), '1970-01-01Z'", connection, transaction))
        {
            command.Parameters.AddWithValue("session", id);
            command.Parameters.AddWithValue("labels", labels);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return id;
    }

    private static async Task AssertExactAsync(IStatisticsCache cache, LiveStatistics live, DateTime now, string because, params ReadMode[] modes)
    {
        foreach (var mode in modes.Length == 0 ? [ReadMode.Cached, ReadMode.RealTime, ReadMode.Live] : modes)
        {
            foreach (var team in new long[] { 1, 2 })
            {
                var experiments = await live.ExperimentsAsync(team, now);
                var sessions = await live.SessionsAsync(team, now);
                experiments.Should().NotBeEmpty();
                (await cache.GetExperimentTotalsAsync(team, experiments.Keys, mode)).Should().BeEquivalentTo(experiments, "{0} experiment totals of team {1} {2}", mode, team, because);
                (await cache.GetSessionTotalsAsync(team, sessions.Keys, mode)).Should().BeEquivalentTo(sessions, "{0} session totals of team {1} {2}", mode, team, because);
            }
        }
    }

    private static ServiceProvider BuildCache(CacheHarness h, Func<NavigatingHostContext, IQueryable<object>>? versions = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(h.Clock);
        services.AddDbContext<NavigatingHostContext>(o => o.UseNpgsql(h.ConnectionString));
        services.AddStatisticsCache(_ => { })
            .UseDbContext<NavigatingHostContext>()
            .MapSessions<NavigatingHostContext>(db => db.Sessions
                .Where(s => s.Experiment.Name != Sandbox)
                .Select(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt }))
            .MapHumanMessages<NavigatingHostContext>(db => db.Messages
                .Where(m => m.IsHuman && m.Session.Experiment.Name != Sandbox)
                .Select(m => new { m.Session.TeamId, m.Session.ExperimentId, m.SessionId, m.CreatedAt }))
            .MapVersions(versions ?? (db => db.Versions
                .Select(v => new { v.Session.TeamId, v.SessionId, Version = v.Label, v.CreatedAt })));
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        return provider;
    }

    private static async Task AddExperimentsAsync(CacheHarness h, params (long Id, long Team, string Name)[] experiments)
    {
        await using var command = h.Db.CreateCommand("INSERT INTO experiments (id, team_id, name) SELECT * FROM unnest(@ids, @teams, @names)");
        command.Parameters.AddWithValue("ids", experiments.Select(e => e.Id).ToArray());
        command.Parameters.AddWithValue("teams", experiments.Select(e => e.Team).ToArray());
        command.Parameters.AddWithValue("names", experiments.Select(e => e.Name).ToArray());
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The integration host's tables (created by <see cref="HostDbContext"/>) seen by a host whose entities have
    /// navigations. The relationships exist only in this model: no foreign keys are created for them.
    /// </summary>
    private sealed class NavigatingHostContext(DbContextOptions<NavigatingHostContext> options) : DbContext(options)
    {
        public DbSet<Bot> Experiments => Set<Bot>();

        public DbSet<Conversation> Sessions => Set<Conversation>();

        public DbSet<Utterance> Messages => Set<Utterance>();

        public DbSet<VersionTag> Versions => Set<VersionTag>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Bot>(e =>
            {
                e.ToTable("experiments");
                e.Property(x => x.Id).HasColumnName("id");
                e.Property(x => x.TeamId).HasColumnName("team_id");
                e.Property(x => x.Name).HasColumnName("name");
            });
            modelBuilder.Entity<Conversation>(e =>
            {
                e.ToTable("chat_sessions");
                e.Property(x => x.Id).HasColumnName("id");
                e.Property(x => x.TeamId).HasColumnName("team_id");
                e.Property(x => x.ExperimentId).HasColumnName("experiment_id");
                e.Property(x => x.ParticipantId).HasColumnName("participant_id");
                e.Property(x => x.CreatedAt).HasColumnName("created_at");
                e.HasOne(x => x.Experiment).WithMany().HasForeignKey(x => x.ExperimentId);
            });
            modelBuilder.Entity<Utterance>(e =>
            {
                e.ToTable("chat_messages");
                e.Property(x => x.Id).HasColumnName("id");
                e.Property(x => x.SessionId).HasColumnName("session_id");
                e.Property(x => x.IsHuman).HasColumnName("is_human");
                e.Property(x => x.CreatedAt).HasColumnName("created_at");
                e.HasOne(x => x.Session).WithMany().HasForeignKey(x => x.SessionId);
            });
            modelBuilder.Entity<VersionTag>(e =>
            {
                e.ToTable("message_versions");
                e.Property(x => x.Id).HasColumnName("id");
                e.Property(x => x.SessionId).HasColumnName("session_id");
                e.Property(x => x.Label).HasColumnName("version_label");
                e.Property(x => x.CreatedAt).HasColumnName("created_at");
                e.HasOne(x => x.Session).WithMany().HasForeignKey(x => x.SessionId);
            });
            modelBuilder.UseStatisticsCache();
        }
    }

    private sealed class Bot
    {
        public long Id { get; set; }

        public long TeamId { get; set; }

        public string Name { get; set; } = "";
    }

    private sealed class Conversation
    {
        public long Id { get; set; }

        public long TeamId { get; set; }

        public long ExperimentId { get; set; }

        public Bot Experiment { get; set; } = null!;

        public long? ParticipantId { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    private sealed class Utterance
    {
        public long Id { get; set; }

        public long SessionId { get; set; }

        public Conversation Session { get; set; } = null!;

        public bool IsHuman { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    private sealed class VersionTag
    {
        public long Id { get; set; }

        public long SessionId { get; set; }

        public Conversation Session { get; set; } = null!;

        public string Label { get; set; } = "";

        public DateTime CreatedAt { get; set; }
    }
}

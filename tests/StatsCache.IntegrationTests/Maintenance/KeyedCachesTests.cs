using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using StatsCache.Internal;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// Several caches in one container: the default one (bound to the host's context, public schema) and two keyed
/// ones — "reporting" (no EF, its own Schema, counts bot replies too) and "archive" (bound to a DbContext of its
/// own with <c>UseStatisticsCache("archive_stats")</c>, counts bot replies only) — each with its own options,
/// tables, state, lock and health check, each exact against live SQL over its own sources.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KeyedCachesTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 8, 20, 12, 0, 0, DateTimeKind.Utc);

    private const string AllMessages = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages";

    private const string BotMessages = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE NOT is_human";

    [Fact]
    public async Task TwoKeyedCachesAndTheDefaultInOneContainerAreEachExactOverTheirOwnSourcesAndSchemas()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await using var services = Container(h);
        var (main, reporting, archive) = Caches(services);
        main.Should().NotBeSameAs(reporting).And.NotBeSameAs(archive);
        reporting.Should().NotBeSameAs(archive);
        services.GetRequiredService<ReportingPage>().Cache.Should().BeSameAs(reporting, "[FromKeyedServices(\"reporting\")] resolves the keyed cache");
        services.GetRequiredKeyedService<IStatisticsCache>("reporting").Should().BeSameAs(reporting, "a keyed cache is a singleton");
        new[] { Env(services, null).LockKey, Env(services, "reporting").LockKey, Env(services, "archive").LockKey }.Should().OnlyHaveUniqueItems();
        Env(services, "reporting").Options.CacheName.Should().Be("reporting", "a named cache's CacheName defaults to its name");

        await reporting.EnsureTablesCreatedAsync();
        await archive.EnsureTablesCreatedAsync();
        (string Name, IStatisticsCache Cache, LiveStatistics Live)[] lives =
        [
            ("default", main, h.Live),
            ("reporting", reporting, new LiveStatistics(h.Db, humanMessages: $"({AllMessages})")),
            ("archive", archive, new LiveStatistics(h.Db, humanMessages: $"({BotMessages})")),
        ];

        for (var round = 0; round < 3; round++)
        {
            await SeedAsync(h, experiment: 10 + round, h.Now.AddMinutes(-30));
            await SeedAsync(h, experiment: 20, h.Now.AddDays(-round - 2));
            h.Advance(TimeSpan.FromMinutes(20));
            await Task.WhenAll(main.RefreshAsync(), reporting.RefreshAsync(), archive.RefreshAsync());
            await Task.WhenAll(main.BackfillAsync(new() { From = h.Now.AddDays(-10) }), reporting.BackfillAsync(new() { From = h.Now.AddDays(-10) }), archive.BackfillAsync(new() { From = h.Now.AddDays(-10) }));
            foreach (var (name, cache, live) in lives)
            {
                await AssertExactAsync(cache, live, h.Now, $"cache {name} after round {round}");
            }
        }

        var humans = await Task.WhenAll(lives.Select(async l => (await l.Cache.GetExperimentTotalsAsync(1, [20]))[20].HumanMessageCount));
        humans.Should().Equal([6L, 9L, 3L], "default counts human messages, reporting all, archive bot replies: 3 rounds of 2 + 1");
        (await StatesAsync(h.Db)).Should().Equal("public:default", "reporting_stats:reporting", "archive_stats:archive");
    }

    [Fact]
    public async Task EachCachesHealthCheckJudgesItsOwnRefresh()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await using var services = Container(h);
        var (main, reporting, archive) = Caches(services);
        await reporting.EnsureTablesCreatedAsync();
        await archive.EnsureTablesCreatedAsync();
        var health = services.GetRequiredService<HealthCheckService>();

        await main.RefreshAsync();
        var report = await health.CheckHealthAsync();
        report.Entries.Keys.Should().BeEquivalentTo("statscache", "statscache-reporting", "statscache-archive");
        report.Entries["statscache"].Status.Should().Be(HealthStatus.Healthy);
        report.Entries["statscache-reporting"].Status.Should().Be(HealthStatus.Unhealthy, "reporting was never built");
        report.Entries["statscache-reporting"].Description.Should().Contain("never built");
        report.Entries["statscache-archive"].Status.Should().Be(HealthStatus.Unhealthy);

        await Task.WhenAll(reporting.RefreshAsync(), archive.RefreshAsync());
        h.Advance(TimeSpan.FromMinutes(20));
        await reporting.RefreshAsync();
        report = await health.CheckHealthAsync();
        report.Entries["statscache-reporting"].Status.Should().Be(HealthStatus.Healthy, "reporting refreshed just now");
        report.Entries["statscache"].Status.Should().Be(HealthStatus.Degraded, "the default cache's job stopped 20 min ago");
        report.Entries["statscache"].Description.Should().Contain("20 min ago");
        report.Entries["statscache-archive"].Status.Should().Be(HealthStatus.Degraded);

        await using (var drop = h.Db.CreateCommand("DROP TABLE archive_stats.statscache_runs"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        report = await health.CheckHealthAsync();
        report.Entries["statscache-archive"].Description.Should().Contain("missing").And.Contain("archive_stats");
        report.Entries["statscache-reporting"].Status.Should().Be(HealthStatus.Healthy, "another cache's broken tables are not this cache's");
    }

    [Fact]
    public async Task ABadOptionOnANamedCacheStopsStartUpNamingThatCache()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await using var badLookBack = Container(h, reporting: o => o.LookBack = TimeSpan.FromDays(2));
        StartUp(badLookBack).Should().Throw<OptionsValidationException>()
            .Which.Message.Should().Contain("StatsCache cache 'reporting': StatisticsCacheOptions.LookBack").And.NotContain("cache 'archive'");

        await using var noSchema = Container(h, reporting: o => o.Schema = null);
        StartUp(noSchema).Should().Throw<OptionsValidationException>()
            .Which.Message.Should().Contain("StatsCache cache 'reporting': StatisticsCacheOptions.Schema is not set").And.Contain("\"reporting_stats\"");

        await using var sharedContext = Container(h, archiveContext: false);
        StartUp(sharedContext).Should().Throw<OptionsValidationException>()
            .Which.Message.Should().Contain("StatsCache cache 'archive': it is bound to HostDbContext like the default cache");

        await using var good = Container(h);
        StartUp(good).Should().NotThrow();

        static Action StartUp(IServiceProvider services) => () => services.GetRequiredService<IStartupValidator>().Validate();
    }

    private static ServiceProvider Container(CacheHarness h, Action<StatisticsCacheOptions>? reporting = null, bool archiveContext = true)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(h.Clock);
        HostWiring.AddHostAndCache(services, h.ConnectionString, HostShape.GlobalSessionIds, _ => { });
        services.AddStatisticsCache("reporting", o =>
        {
            o.ConnectionString = h.ConnectionString;
            o.Schema = "reporting_stats";
            o.Sessions.Table = "chat_sessions";
            o.Sessions.SessionIdColumn = "id";
            o.HumanMessages.Sql = AllMessages;
            o.Versions.Table = "message_versions";
            o.Versions.VersionColumn = "version_label";
            reporting?.Invoke(o);
        });
        services.AddDbContext<ArchiveDbContext>(o => o.UseNpgsql(h.ConnectionString));
        var archive = services.AddStatisticsCache("archive", o => o.HumanMessages.Sql = BotMessages);
        (archiveContext ? archive.UseDbContext<ArchiveDbContext>() : archive.UseDbContext<HostDbContext>())
            .MapSessions<ChatSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt })
            .MapVersions<MessageVersion>(v => new { v.SessionId, Version = v.Label, v.CreatedAt });
        services.AddSingleton<ReportingPage>();
        services.AddHealthChecks().AddStatisticsCache().AddStatisticsCache("reporting").AddStatisticsCache("archive");
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static (IStatisticsCache Main, IStatisticsCache Reporting, IStatisticsCache Archive) Caches(IServiceProvider services) => (
        services.GetRequiredService<IStatisticsCache>(),
        services.GetRequiredKeyedService<IStatisticsCache>("reporting"),
        services.GetRequiredKeyedService<IStatisticsCache>("archive"));

    private static CacheEnvironment Env(IServiceProvider services, string? name) =>
        name is null ? services.GetRequiredService<CacheEnvironment>() : services.GetRequiredKeyedService<CacheEnvironment>(name);

    private static async Task AssertExactAsync(IStatisticsCache cache, LiveStatistics live, DateTime now, string because)
    {
        var experiments = await live.ExperimentsAsync(1, now);
        experiments.Should().NotBeEmpty();
        (await cache.GetExperimentTotalsAsync(1, experiments.Keys)).Should().BeEquivalentTo(experiments, because);
        var sessions = await live.SessionsAsync(1, now);
        (await cache.GetSessionTotalsAsync(1, sessions.Keys)).Should().BeEquivalentTo(sessions, because);
    }

    private static async Task SeedAsync(CacheHarness h, long experiment, DateTime at)
    {
        var session = await h.Data.AddSessionAsync(1, experiment, experiment * 100 + at.Minute + at.Day, at);
        await h.Data.AddMessagesAsync(1, experiment, session, [at.AddMinutes(1), at.AddMinutes(2)], human: true, version: "v1");
        await h.Data.AddMessagesAsync(1, experiment, session, [at.AddMinutes(3)], human: false);
    }

    private static async Task<List<string>> StatesAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("""
            SELECT 'public:' || cache_name FROM public.statscache_state
            UNION ALL SELECT 'reporting_stats:' || cache_name FROM reporting_stats.statscache_state
            UNION ALL SELECT 'archive_stats:' || cache_name FROM archive_stats.statscache_state
            """);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>A page that reads the reporting cache, the way a host's controller or service asks for it.</summary>
    public sealed class ReportingPage([FromKeyedServices("reporting")] IStatisticsCache cache)
    {
        public IStatisticsCache Cache => cache;
    }

    /// <summary>A second context of the host, over the same host tables, holding the archive cache's tables in a schema of their own.</summary>
    public sealed class ArchiveDbContext(DbContextOptions<ArchiveDbContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<ChatSession>(e =>
            {
                e.ToTable("chat_sessions");
                e.Property(x => x.Id).HasColumnName("id");
                e.Property(x => x.TeamId).HasColumnName("team_id");
                e.Property(x => x.ExperimentId).HasColumnName("experiment_id");
                e.Property(x => x.ParticipantId).HasColumnName("participant_id");
                e.Property(x => x.CreatedAt).HasColumnName("created_at");
            });
            modelBuilder.Entity<MessageVersion>(e =>
            {
                e.ToTable("message_versions");
                e.Property(x => x.Id).HasColumnName("id");
                e.Property(x => x.SessionId).HasColumnName("session_id");
                e.Ignore(x => x.TeamId);
                e.Property(x => x.Label).HasColumnName("version_label");
                e.Property(x => x.CreatedAt).HasColumnName("created_at");
            });
            modelBuilder.UseStatisticsCache("archive_stats");
        }
    }
}

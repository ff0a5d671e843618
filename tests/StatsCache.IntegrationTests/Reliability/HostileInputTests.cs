using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// Bad and hostile input not already covered elsewhere (see docs/guarantees.md for the tests that
/// cover SQL in option names, foreign ids, 100,000 ids, duplicate read ids and non-UTC dates).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HostileInputTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 8, 20, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task ABackfillFromTheFutureIsRejectedAndDoesNotMarkAnUnbuiltCacheAsBuilt()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var s = await h.Data.AddSessionAsync(1, 10, 1, Start.AddDays(-3));
        await h.Data.AddMessagesAsync(1, 10, s, Start.AddDays(-3), 2);

        var act = () => h.Cache.BackfillAsync(new BackfillRequest { From = Start.AddDays(1) });

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("From");
        (await h.Cache.GetStatusAsync()).Watermark.Should().BeNull("nothing was built, so nothing may claim to be");
        await h.Cache.RefreshAsync();
        await h.AssertExactAsync(1, "the first refresh still builds everything");
    }

    [Fact]
    public async Task DuplicateAndForeignExperimentIdsInABackfillRequestChangeNothingButTheirOwn()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var a = await h.Data.AddSessionAsync(1, 10, 1, Start.AddDays(-2));
        await h.Data.AddMessagesAsync(1, 10, a, Start.AddDays(-2), 3);
        var b = await h.Data.AddSessionAsync(2, 20, 2, Start.AddDays(-2));
        await h.Data.AddMessagesAsync(2, 20, b, Start.AddDays(-2), 4);
        await h.Cache.RefreshAsync();
        var before = await Invariants.DumpAsync(h.Db);

        var result = await h.Cache.BackfillAsync(new BackfillRequest { From = Start.AddDays(-5), ExperimentIds = [10, 10, 20, 20, 999, 10] });

        result.Chunks.Should().BeGreaterThan(0);
        (await Invariants.DumpAsync(h.Db)).Should().Equal(before, "recomputing exact buckets changes no stored row, whatever the repetitions");
        await h.AssertExactAsync(1);
        await h.AssertExactAsync(2);
    }

    public static TheoryData<string, Action<StatisticsCacheOptions>> BadPolicies => new()
    {
        { "StatisticsCacheOptions.HourlyRetention", o => o.HourlyRetention = TimeSpan.Zero },
        { "StatisticsCacheOptions.HourlyRetention", o => o.HourlyRetention = TimeSpan.FromDays(-1) },
        { "StatisticsCacheOptions.DailyRetention", o => o.DailyRetention = TimeSpan.Zero },
        { "StatisticsCacheOptions.DailyRetention", o => o.DailyRetention = TimeSpan.FromDays(-30) },
        { "StatisticsCacheOptions.DailyRetention", o => (o.HourlyRetention, o.DailyRetention) = (TimeSpan.FromDays(10), TimeSpan.FromDays(2)) },
        { "StatisticsCacheOptions.LookBack", o => o.LookBack = TimeSpan.FromMinutes(-15) },
        { "StatisticsCacheOptions.LookBack", o => o.LookBack = TimeSpan.FromDays(2) },
    };

    /// <summary>Zero, negative and overlapping windows stop the host at start-up, naming the option (unit cases: OptionsValidationTests).</summary>
    [Theory]
    [MemberData(nameof(BadPolicies))]
    public void ZeroNegativeAndOverlappingRetentionWindowsStopTheHostAtStartUp(string option, Action<StatisticsCacheOptions> breakIt)
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(o =>
        {
            o.ConnectionString = "Host=127.0.0.1;Database=never_opened";
            o.Sessions.Table = "chat_sessions";
            o.HumanMessages.Table = "chat_messages";
            breakIt(o);
        });
        using var provider = services.BuildServiceProvider();

        // What a host runs when it starts (ValidateOnStart registers this validator).
        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(option);
    }

    /// <summary>
    /// A name carrying SQL that comes from the host's EF model (not from options) is refused before any
    /// statement runs — at start-up, where the model is read (ValidateOnStart), and again at any call — and nothing is dropped.
    /// </summary>
    [Fact]
    public async Task SqlInATableNameReadFromTheEfModelIsRefusedAndNothingRuns()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var services = new ServiceCollection();
        services.AddDbContext<HostileContext>(o => o.UseNpgsql(h.ConnectionString));
        services.AddStatisticsCache(o => o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human")
            .UseDbContext<HostileContext>()
            .MapSessions<ChatSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt });
        await using var provider = services.BuildServiceProvider();

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();
        var refresh = () => provider.GetRequiredService<IStatisticsCache>().RefreshAsync();

        start.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("Sessions.Table").And.Contain("not a plain identifier");
        (await refresh.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("Sessions.Table");
        await using var command = h.Db.CreateCommand("SELECT to_regclass('chat_messages') IS NOT NULL");
        (await command.ExecuteScalarAsync()).Should().Be(true, "the injected DROP never ran");
    }

    private sealed class HostileContext(DbContextOptions<HostileContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<ChatSession>(e =>
            {
                e.ToTable("x\"; drop table chat_messages; --");
                e.Property(x => x.TeamId).HasColumnName("team_id");
                e.Property(x => x.ExperimentId).HasColumnName("experiment_id");
                e.Property(x => x.ParticipantId).HasColumnName("participant_id");
                e.Property(x => x.CreatedAt).HasColumnName("created_at");
            });
            modelBuilder.UseStatisticsCache();
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>A host without EF Core names its tables and columns (or gives a SELECT) and a connection string.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SourceConfigurationTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 9, 1, 0, 30, 0, DateTimeKind.Utc);

    [Fact]
    public async Task TablesAndColumnsNamedInOptionsGiveTheSameTotalsAsTheEntityMapping()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var s = await h.Data.AddSessionAsync(1, 10, 5, Start.AddHours(-30));
        await h.Data.AddMessagesAsync(1, 10, s, Start.AddHours(-29), 4, "v3");
        await using (var ddl = h.Db.CreateCommand("CREATE SCHEMA stats; CREATE VIEW human_messages AS SELECT * FROM chat_messages WHERE is_human"))
        {
            await ddl.ExecuteNonQueryAsync();
        }

        // A second cache in its own schema, configured by names only: no DbContext involved.
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(Start, TimeSpan.Zero)));
        services.AddStatisticsCache(o =>
        {
            o.ConnectionString = h.ConnectionString;
            o.Schema = "stats";
            o.Sessions.Table = "chat_sessions";
            o.Sessions.SessionIdColumn = "id";
            o.HumanMessages.Table = "human_messages";
            o.Versions.Table = "message_versions";
            o.Versions.VersionColumn = "version_label";
        });
        await using var provider = services.BuildServiceProvider();
        await CreateCacheTablesAsync(h, "stats");
        var cache = provider.GetRequiredService<IStatisticsCache>();

        await cache.RefreshAsync();
        await h.Cache.RefreshAsync();

        var byName = await cache.GetExperimentTotalsAsync(1, [10]);
        byName.Should().BeEquivalentTo(await h.Cache.GetExperimentTotalsAsync(1, [10]));
        byName[10].HumanMessageCount.Should().Be(4);
        (await cache.GetSessionTotalsAsync(1, [s]))[s].Versions.Should().Equal("v3");
    }

    [Fact]
    public async Task AMissingCacheTableGivesAnErrorThatSaysWhatToDo()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var services = new ServiceCollection();
        services.AddStatisticsCache(o =>
        {
            o.ConnectionString = h.ConnectionString;
            o.Schema = "nowhere";
            o.Sessions.Table = "chat_sessions";
            o.Sessions.SessionIdColumn = "id";
            o.HumanMessages.Table = "chat_messages";
        });
        await using var provider = services.BuildServiceProvider();

        var refresh = () => provider.GetRequiredService<IStatisticsCache>().RefreshAsync();

        (await refresh.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("UseStatisticsCache");
    }

    /// <summary>The cache's tables in another schema, made from the same EF configurations.</summary>
    private static async Task CreateCacheTablesAsync(CacheHarness h, string schema)
    {
        var options = new DbContextOptionsBuilder<CacheOnlyContext>().UseNpgsql(h.ConnectionString).Options;
        await using var context = new CacheOnlyContext(options, schema);
        var script = context.Database.GenerateCreateScript();
        await using var command = h.Db.CreateCommand(script);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class CacheOnlyContext(DbContextOptions<CacheOnlyContext> options, string schema) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseStatisticsCache(schema);
    }
}

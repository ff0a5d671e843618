using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.IntegrationTests.Reliability;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Storage;

/// <summary>
/// A host without EF migrations creates the cache's tables with <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.EnsureTablesCreatedAsync"/>
/// (or runs <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.GetCreateTablesScript"/>): idempotent, data kept, and the same tables, columns and
/// indexes as <c>EnsureCreated</c> of a host context with <c>UseStatisticsCache()</c>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TablesWithoutMigrationsTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly DateTime Start = new(2024, 8, 20, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task EnsureTablesCreatedTwiceInAnEmptySchemaThenBackfillAndReadsAreExact()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h);
        await using var services = NoMigrationsCache(h, "nomig");
        var cache = services.GetRequiredService<IStatisticsCache>();
        (await SchemaExistsAsync(h.Db, "nomig")).Should().BeFalse("the cache's schema starts missing");

        await cache.EnsureTablesCreatedAsync();
        await cache.EnsureTablesCreatedAsync();
        (await ColumnsAsync(h.Db, "nomig")).Should().NotBeEmpty();

        await cache.BackfillAsync();
        await AssertExactAsync(h, cache, "after a backfill into the created tables");
        var rowsBefore = await CountBucketsAsync(h.Db, "nomig");
        rowsBefore.Should().BePositive();

        await cache.EnsureTablesCreatedAsync();
        (await CountBucketsAsync(h.Db, "nomig")).Should().Be(rowsBefore, "running it again keeps the rows");
        h.Advance(TimeSpan.FromMinutes(10));
        await h.Data.AddMessagesAsync(1, 10, await h.Data.AddSessionAsync(1, 10, 777, h.Now.AddMinutes(-5)), [h.Now.AddMinutes(-4)]);
        (await cache.RefreshAsync()).Skipped.Should().BeFalse();
        await AssertExactAsync(h, cache, "after a refresh");
    }

    [Fact]
    public async Task EnsureTablesCreatedOverMigratedTablesChangesNothing()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await SeedAsync(h);
        await h.Cache.BackfillAsync();
        var before = await Invariants.DumpAsync(h.Db);

        await h.Cache.EnsureTablesCreatedAsync();
        await h.Cache.EnsureTablesCreatedAsync();

        (await Invariants.DumpAsync(h.Db)).Should().Equal(before, "existing tables and rows are left as they are");
        await h.AssertExactAsync(1, "after EnsureTablesCreatedAsync over tables EnsureCreated made");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("cmp_stats")]
    public async Task TheScriptMakesTheSameTablesColumnsAndIndexesAsEnsureCreated(string? schema)
    {
        var efDatabase = await server.CreateDatabaseAsync();
        var scriptDatabase = await server.CreateDatabaseAsync();
        var options = new DbContextOptionsBuilder<CacheOnlyContext>().UseNpgsql(efDatabase)
            .ReplaceService<IModelCacheKeyFactory, CacheOnlyContext.KeyFactory>().Options;
        await using (var context = new CacheOnlyContext(options, schema))
        {
            if (schema is not null)
            {
#pragma warning disable EF1002 // a constant schema name
                await context.Database.ExecuteSqlRawAsync($"CREATE SCHEMA {schema}");
#pragma warning restore EF1002
            }

            await context.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
        }

        var services = new ServiceCollection();
        services.AddStatisticsCache(o =>
        {
            o.ConnectionString = scriptDatabase;
            o.Schema = schema;
            o.Sessions.Table = "chat_sessions";
            o.Sessions.SessionIdColumn = "id";
            o.HumanMessages.Table = "chat_messages";
        });
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IStatisticsCache>();
        var script = cache.GetCreateTablesScript();
        output.WriteLine(script);
        script.Should().Contain("statscache_experiment_totals", "the read model is the per-experiment totals table");
        await cache.EnsureTablesCreatedAsync();
        await cache.EnsureTablesCreatedAsync();

        await using var ef = NpgsqlDataSource.Create(efDatabase);
        await using var scripted = NpgsqlDataSource.Create(scriptDatabase);
        var inSchema = schema ?? "public";
        var efColumns = await ColumnsAsync(ef, inSchema);
        efColumns.Should().HaveCount(c => c > 30, "EnsureCreated made the eleven tables (the seven of the built-in statistics, the four of the host's measures)");
        (await ColumnsAsync(scripted, inSchema)).Should().Equal(efColumns);
        (await IndexesAsync(scripted, inSchema)).Should().Equal(await IndexesAsync(ef, inSchema));
        (await TablesAsync(scripted, inSchema)).Should().Equal(await TablesAsync(ef, inSchema)).And.HaveCount(11);
    }

    [Fact]
    public async Task AModelThatRenamesTheTablesIsSentToMigrations()
    {
        var database = await server.CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddDbContext<RenamedContext>(o => o.UseNpgsql(database));
        services.AddStatisticsCache(o =>
        {
            o.Sessions.Table = "chat_sessions";
            o.Sessions.SessionIdColumn = "id";
            o.HumanMessages.Table = "chat_messages";
        }).UseDbContext<RenamedContext>();
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IStatisticsCache>();

        cache.Invoking(c => c.GetCreateTablesScript()).Should().Throw<InvalidOperationException>().WithMessage("*renames the cache's tables*migrations*");
        await cache.Invoking(c => c.EnsureTablesCreatedAsync()).Should().ThrowAsync<InvalidOperationException>();
    }

    private static ServiceProvider NoMigrationsCache(CacheHarness h, string schema)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(h.Clock);
        services.AddStatisticsCache(o =>
        {
            o.ConnectionString = h.ConnectionString;
            o.Schema = schema;
            o.CacheName = schema;
            o.Sessions.Table = "chat_sessions";
            o.Sessions.SessionIdColumn = "id";
            o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human";
            o.Versions.Table = "message_versions";
            o.Versions.VersionColumn = "version_label";
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static async Task SeedAsync(CacheHarness h)
    {
        foreach (var (experiment, daysAgo) in new[] { (10L, 40), (10L, 3), (11L, 1), (12L, 0) })
        {
            var at = Start.AddDays(-daysAgo).AddHours(-2);
            var session = await h.Data.AddSessionAsync(1, experiment, experiment * 10 + daysAgo, at);
            await h.Data.AddMessagesAsync(1, experiment, session, [at.AddMinutes(1), at.AddMinutes(7)], human: true, version: "v1");
            await h.Data.AddMessagesAsync(1, experiment, session, [at.AddMinutes(2)], human: false);
        }
    }

    private static async Task AssertExactAsync(CacheHarness h, IStatisticsCache cache, string because)
    {
        var experiments = await h.Live.ExperimentsAsync(1, h.Now);
        experiments.Should().NotBeEmpty();
        (await cache.GetExperimentTotalsAsync(1, experiments.Keys)).Should().BeEquivalentTo(experiments, because);
        var sessions = await h.Live.SessionsAsync(1, h.Now);
        (await cache.GetSessionTotalsAsync(1, sessions.Keys)).Should().BeEquivalentTo(sessions, because);
    }

    private static async Task<bool> SchemaExistsAsync(NpgsqlDataSource db, string schema)
    {
        await using var command = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)");
        command.Parameters.AddWithValue(schema);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> CountBucketsAsync(NpgsqlDataSource db, string schema)
    {
        await using var command = db.CreateCommand($"SELECT count(*) FROM {schema}.statscache_experiment_buckets");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static Task<List<string>> TablesAsync(NpgsqlDataSource db, string schema) => RowsAsync(db, schema, """
        SELECT table_name || ' ' || table_type FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name
        """);

    private static Task<List<string>> ColumnsAsync(NpgsqlDataSource db, string schema) => RowsAsync(db, schema, """
        SELECT concat_ws(' | ', table_name, ordinal_position, column_name, data_type, character_maximum_length, numeric_precision, datetime_precision,
                         is_nullable, column_default, is_identity, identity_generation, is_generated, generation_expression)
        FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position
        """);

    private static Task<List<string>> IndexesAsync(NpgsqlDataSource db, string schema) => RowsAsync(db, schema, """
        SELECT tablename || ' | ' || indexname || ' | ' || indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY tablename, indexname
        """);

    private static async Task<List<string>> RowsAsync(NpgsqlDataSource db, string schema, string sql)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddWithValue(schema);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>A host context whose model is <c>UseStatisticsCache(schema)</c>, as a host's own context would add it.</summary>
    private sealed class CacheOnlyContext(DbContextOptions<CacheOnlyContext> options, string? schema) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseStatisticsCache(schema);

        /// <summary>One model per schema: EF caches one model per context type otherwise.</summary>
        public sealed class KeyFactory : IModelCacheKeyFactory
        {
            public object Create(DbContext context, bool designTime) => (((CacheOnlyContext)context).ModelSchema, designTime);
        }

        private string? ModelSchema => schema;
    }

    /// <summary>A host model that renames the bucket table (before UseStatisticsCache, as documented).</summary>
    public sealed class RenamedContext(DbContextOptions<RenamedContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<StatsCache.Storage.ExperimentBucket>().ToTable("stats_buckets");
            modelBuilder.UseStatisticsCache();
        }
    }
}

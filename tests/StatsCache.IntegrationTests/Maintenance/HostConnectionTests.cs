using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// The cache connects the way the host does: as a password-protected role, through the host's own
/// <see cref="NpgsqlDataSource"/> (whose connection string no longer carries the password) or through a
/// connection string with the password in it, and never disposes a data source it did not build.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HostConnectionTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 8, 20, 12, 0, 0, DateTimeKind.Utc);
    private const string Password = "s3cret-Pa55";

    [Fact]
    public async Task ADbContextOnTheHostsDataSourceWithAPasswordIsUsedAsIs()
    {
        await using var h = await SeededAsync();
        await using var dataSource = new NpgsqlDataSourceBuilder(await PasswordRoleAsync(h)).Build();

        await using (var provider = Host(h, o => o.UseNpgsql(dataSource)))
        {
            await AssertWorksAsync(provider, h);
        }

        await using var command = dataSource.CreateCommand("SELECT 1");
        (await command.ExecuteScalarAsync()).Should().Be(1, "disposing the host's services must not dispose the host's data source");
    }

    [Fact]
    public async Task ADbContextOnAConnectionStringWithAPasswordWorks()
    {
        await using var h = await SeededAsync();
        var connectionString = await PasswordRoleAsync(h);

        await using var provider = Host(h, o => o.UseNpgsql(connectionString));

        await AssertWorksAsync(provider, h);
    }

    [Fact]
    public async Task AnExplicitDataSourceIsUsedWithoutADbContextAndNotDisposed()
    {
        await using var h = await SeededAsync();
        await using var dataSource = new NpgsqlDataSourceBuilder(await PasswordRoleAsync(h)).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(h.Clock);
        services.AddStatisticsCache(o =>
            {
                o.Sessions.Table = "chat_sessions";
                o.Sessions.SessionIdColumn = "id";
                o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human";
            })
            .UseDataSource(dataSource);

        await using (var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }))
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            var cache = provider.GetRequiredService<IStatisticsCache>();
            await cache.RefreshAsync();
            (await cache.GetExperimentTotalsAsync(1, [10])).Should().BeEquivalentTo(await h.Live.ExperimentsAsync(1, h.Now));
        }

        await using var command = dataSource.CreateCommand("SELECT 1");
        (await command.ExecuteScalarAsync()).Should().Be(1, "a data source the cache was given is the host's to dispose");
    }

    private async Task<CacheHarness> SeededAsync()
    {
        var h = await CacheHarness.CreateAsync(server, Start);
        var session = await h.Data.AddSessionAsync(1, 10, 7, Start.AddDays(-2));
        await h.Data.AddMessagesAsync(1, 10, session, Start.AddDays(-2).AddMinutes(5), 3);
        return h;
    }

    private static ServiceProvider Host(CacheHarness h, Action<DbContextOptionsBuilder> connect)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(h.Clock);
        services.AddDbContext<HostDbContext>(connect);
        services.AddStatisticsCache(o => o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human")
            .UseDbContext<HostDbContext>()
            .MapSessions<ChatSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt })
            .MapVersions<MessageVersion>(v => new { v.SessionId, Version = v.Label, v.CreatedAt });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static async Task AssertWorksAsync(ServiceProvider provider, CacheHarness h)
    {
        provider.GetRequiredService<IStartupValidator>().Validate();
        var cache = provider.GetRequiredService<IStatisticsCache>();
        (await cache.RefreshAsync()).Skipped.Should().BeFalse();
        (await cache.GetExperimentTotalsAsync(1, [10])).Should().BeEquivalentTo(await h.Live.ExperimentsAsync(1, h.Now));
        (await cache.GetStatusAsync()).Watermark.Should().Be(h.Now);
        await using var scope = provider.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<HostDbContext>().Sessions.CountAsync()).Should().Be(1, "the host's own queries work as that role too");
    }

    /// <summary>
    /// A login role that must give its password (the test cluster asks members of a group for one), with the
    /// rights the cache needs on the test database; returns its connection string, password included.
    /// </summary>
    private static async Task<string> PasswordRoleAsync(CacheHarness h)
    {
        var role = "pw_" + Guid.NewGuid().ToString("N")[..12];
        var group = LocalPostgresCluster.PasswordAuthGroup;
        await using (var command = h.Db.CreateCommand($"""
            DO $$ BEGIN CREATE ROLE {group} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
            CREATE ROLE {role} LOGIN PASSWORD '{Password}' IN ROLE {group};
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}
            """))
        {
            await command.ExecuteNonQueryAsync();
        }

        var withPassword = new NpgsqlConnectionStringBuilder(h.ConnectionString) { Username = role, Password = Password, Pooling = true }.ConnectionString;
        var withoutPassword = new NpgsqlConnectionStringBuilder(withPassword) { Password = null }.ConnectionString;
        await using (var connection = new NpgsqlConnection(withoutPassword))
        {
            var open = () => connection.OpenAsync();
            (await open.Should().ThrowAsync<NpgsqlException>("the server must ask this role for its password, or the test proves nothing"))
                .Which.Message.Should().ContainAny("password", "authentication");
        }

        return withPassword;
    }
}

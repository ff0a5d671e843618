using FluentAssertions;
using Npgsql;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Infrastructure;

/// <summary>Proves the PostgreSQL fixture itself before any real test relies on it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FixtureSmokeTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task ServerAnswersWithItsVersion()
    {
        var version = await ScalarAsync<string>(server.ConnectionString, "select version()");
        output.WriteLine($"{server.Description}\n{version}");

        version.Should().Contain("PostgreSQL", because: $"the server came from {server.Description}");
        server.Source.Should().BeOneOf(
            PostgresServer.EnvironmentSource, PostgresServer.TestcontainersSource, PostgresServer.LocalClusterSource);
    }

    [Fact]
    public async Task CreatedDatabasesAreDistinctAndIsolated()
    {
        var first = await server.CreateDatabaseAsync();
        var second = await server.CreateDatabaseAsync();

        var firstName = new NpgsqlConnectionStringBuilder(first).Database;
        var secondName = new NpgsqlConnectionStringBuilder(second).Database;
        firstName.Should().NotBe(secondName);
        (await ScalarAsync<string>(first, "select current_database()")).Should().Be(firstName);
        (await ScalarAsync<string>(second, "select current_database()")).Should().Be(secondName);

        await ScalarAsync<int>(first, "create table only_here (id int); insert into only_here values (1); select count(*)::int from only_here");

        (await ScalarAsync<bool>(first, "select to_regclass('only_here') is not null")).Should().BeTrue();
        (await ScalarAsync<bool>(second, "select to_regclass('only_here') is not null")).Should().BeFalse();
    }

    [Fact]
    public async Task TimeZoneIsUtc()
    {
        var database = await server.CreateDatabaseAsync();
        (await ScalarAsync<string>(database, "show timezone")).Should().Be("UTC");

        // A server passed in through the environment is not ours to configure; the ones we start are.
        if (server.Source != PostgresServer.EnvironmentSource)
        {
            (await ScalarAsync<string>(server.ConnectionString, "show timezone")).Should().Be("UTC");
        }
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Reads;

namespace StatsCache.IntegrationTests.Measures;

/// <summary>
/// Measures declared the way EF users write sources: <c>AddMeasure&lt;TContext&gt;(name, aggregate, db =&gt; …)</c>, a LINQ query
/// of the host's entities translated once at start-up. The same two measures the test host declares with SQL — bot
/// messages (a count) and tokens used (a sum) — read exactly like them, in every mode, after a build and a refresh.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MeasureLinqSourceTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 3, 28, 10, 40, 0, DateTimeKind.Utc);

    private static ServiceProvider Build(string connectionString, FakeTimeProvider clock, Action<StatisticsCacheBuilder> measures)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddDbContext<HostDbContext>(o => o.UseNpgsql(connectionString));
        measures(HostWiring.AddCache<HostDbContext>(services, HostShape.GlobalSessionIds));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static void FromLinq(StatisticsCacheBuilder cache) => cache
        .AddMeasure<HostDbContext>(HostWiring.BotMessages, MeasureAggregate.Count,
            db => db.Messages.Where(m => !m.IsHuman).Select(m => new { m.TeamId, m.ExperimentId, m.SessionId, m.CreatedAt }))
        .AddMeasure<HostDbContext>(HostWiring.TokensUsed, MeasureAggregate.Sum,
            db => db.Messages.Select(m => new { m.TeamId, m.ExperimentId, m.SessionId, m.CreatedAt, Value = m.Tokens }));

    [Fact]
    public async Task LinqMeasuresReadExactlyInEveryMode()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(Start, TimeSpan.Zero));
        await using var services = Build(connectionString, clock, FromLinq);
        await HostWiring.EnsureCreatedAsync(services, HostShape.GlobalSessionIds);
        await using var db = NpgsqlDataSource.Create(connectionString);
        var data = new HostData(db);
        var live = LiveStatistics.For(db, HostShape.GlobalSessionIds, measures: true);
        var cache = services.GetRequiredService<IStatisticsCache>();

        await MeasureChecks.SeedAsync(data, new Random(11), Start.AddDays(-40), Start, 50);
        (await cache.RefreshAsync()).Initialized.Should().BeTrue();
        foreach (var mode in new[] { ReadMode.Cached, ReadMode.RealTime, ReadMode.Live })
        {
            await MeasureChecks.AssertExactAsync(cache, live, Start, mode, "after the first build from LINQ sources");
        }

        clock.Advance(TimeSpan.FromHours(2));
        await MeasureChecks.SeedAsync(data, new Random(12), Start, clock.GetUtcNow().UtcDateTime, 12);
        await cache.RefreshAsync();
        await MeasureChecks.AssertExactAsync(cache, live, clock.GetUtcNow().UtcDateTime, ReadMode.Cached, "after a refresh");
        (await MeasureChecks.RegisteredAsync(db)).Keys.Should().BeEquivalentTo([HostWiring.BotMessages, HostWiring.TokensUsed]);
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "sum-without-value", "the measure is a Sum, but the query names no Value" },
        { "count-with-value", "the measure is a Count, but the query names a Value" },
        { "text-value", "a measure's Value must be an integer" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task ABadLinqMeasureStopsTheCacheNamingIt(string which, string message)
    {
        var connectionString = await server.CreateDatabaseAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(Start, TimeSpan.Zero));
        await using var services = Build(connectionString, clock, cache => _ = which switch
        {
            "sum-without-value" => cache.AddMeasure<HostDbContext>("tokens", MeasureAggregate.Sum,
                db => db.Messages.Select(m => new { m.TeamId, m.ExperimentId, m.SessionId, m.CreatedAt })),
            "count-with-value" => cache.AddMeasure<HostDbContext>("replies", MeasureAggregate.Count,
                db => db.Messages.Select(m => new { m.TeamId, m.ExperimentId, m.SessionId, m.CreatedAt, Value = m.Tokens })),
            _ => cache.AddMeasure<HostDbContext>("labels", MeasureAggregate.Sum,
                db => db.Versions.Select(v => new { TeamId = 1L, ExperimentId = 1L, v.SessionId, v.CreatedAt, Value = v.Label })),
        });

        var resolve = () => services.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        resolve.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("AddMeasure<HostDbContext>").And.Contain(message);
    }
}

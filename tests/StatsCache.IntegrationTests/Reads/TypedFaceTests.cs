using Microsoft.Extensions.DependencyInjection;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Reads;

/// <summary>
/// The typed faces of a cache: <c>IStatisticsCache&lt;TTeamId, TExperimentId, TSessionId&gt;</c> with the cache's key
/// types reads what <see cref="IStatisticsCache"/> reads; other type arguments fail at resolution, naming the right
/// ones, for the default and for a named cache alike. (The Guid- and int-keyed hosts are in tests/…/Keys.)
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TypedFaceTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 8, 20, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task TheLongTypedFaceReadsExactlyWhatIStatisticsCacheReadsIncludingMaintenanceResults()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var session = await h.Data.AddSessionAsync(1, 10, 7, Start.AddHours(-3));
        await h.Data.AddMessagesAsync(1, 10, session, [Start.AddHours(-3).AddMinutes(1), Start.AddHours(-2)], human: true, version: "v1");
        await h.Cache.RefreshAsync();

        var typed = h.Services.GetRequiredService<IStatisticsCache<long, long, long>>();
        typed.Should().BeSameAs(h.Services.GetRequiredService<IStatisticsCache<long, long, long>>(), "a singleton");
        (await typed.GetExperimentTotalsAsync(1, [10, 11])).Should().BeEquivalentTo(await h.Cache.GetExperimentTotalsAsync(1, [10, 11]));
        (await typed.GetSessionTotalsAsync(1, [session])).Should().BeEquivalentTo(await h.Cache.GetSessionTotalsAsync(1, [session]));
        var totals = (await typed.GetExperimentTotalsAsync(1, [10]))[10];
        totals.Should().Be(new ExperimentStats { SessionCount = 1, ParticipantCount = 1, HumanMessageCount = 2, LastActivity = Start.AddHours(-2) });
        (await typed.GetExperimentTotalsAsync(2, [10]))[10].Should().Be(ExperimentStats.Empty, "another team's experiment reads as zeros");

        // A late row under the watermark: the reconcile reports it with the host's ids.
        await h.Data.AddMessagesAsync(1, 10, session, [Start.AddHours(-2).AddMinutes(5)], human: true);
        var reconciled = await typed.ReconcileAsync(new ReconcileRequest<long> { From = Start.AddDays(-1), To = Start, ExperimentIds = [10] });
        var change = reconciled.Changes.Should().ContainSingle().Subject;
        (change.TeamId, change.ExperimentId).Should().Be((1L, 10L));
        change.After.HumanMessageCount.Should().Be(change.Before.HumanMessageCount + 1);
        await h.AssertExactAsync(1, "after the typed reconcile");
    }

    [Fact]
    public async Task TypeArgumentsThatAreNotTheCachesKeyTypesFailAtResolutionNamingTheRightOnes()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var wrong = () => h.Services.GetRequiredService<IStatisticsCache<Guid, Guid, long>>();
        wrong.Should().Throw<InvalidOperationException>()
            .WithMessage("*cache 'default'*its team ids are long, not Guid; its experiment ids are long, not Guid*Resolve IStatisticsCache<long, long, long> instead (or IStatisticsCache).*");
    }

    [Fact]
    public async Task ANamedCacheHasTypedFacesToo()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(h.Clock);
        services.AddStatisticsCache("reporting", o =>
        {
            o.ConnectionString = h.ConnectionString;
            o.Schema = "reporting_stats";
            o.Sessions.Table = "chat_sessions";
            o.Sessions.SessionIdColumn = "id";
            o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human";
        });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var session = await h.Data.AddSessionAsync(1, 10, 7, Start.AddHours(-3));
        await h.Data.AddMessagesAsync(1, 10, session, [Start.AddHours(-2)], human: true);

        var typed = provider.GetRequiredKeyedService<IStatisticsCache<long, long, long>>("reporting");
        await typed.EnsureTablesCreatedAsync();
        await typed.RefreshAsync();
        (await typed.GetExperimentTotalsAsync(1, [10]))[10].HumanMessageCount.Should().Be(1);
        (await provider.GetRequiredKeyedService<IStatisticsCache>("reporting").GetExperimentTotalsAsync(1, [10]))[10].HumanMessageCount.Should().Be(1);
        var wrong = () => provider.GetRequiredKeyedService<IStatisticsCache<int, int, int>>("reporting");
        wrong.Should().Throw<InvalidOperationException>().WithMessage("*cache 'reporting'*its session ids are long, not int*");
    }
}

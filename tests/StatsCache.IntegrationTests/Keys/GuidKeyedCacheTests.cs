using Microsoft.Extensions.DependencyInjection;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Keys;

/// <summary>
/// A Guid-keyed cache read through the library's typed face directly (not the harness's adapter): the
/// long faces do not resolve on it and say which types do; an id of another team — or one nobody
/// wrote — reads as empty in every read mode; the cache's own tables hold uuid ids.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GuidKeyedCacheTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 8, 20, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(HostSources.EntityModel)]
    [InlineData(HostSources.Sql)]
    public async Task TheLongFacesDoNotResolveOnAGuidKeyedCacheAndSayWhichTypesDo(HostSources sources)
    {
        await using var h = await KeyedHarness.CreateAsync(server, Start, HostKeys.Guid, sources: sources);

        var longFace = () => h.Services.GetRequiredService<IStatisticsCache<long, long, long>>();
        var plain = () => h.Services.GetRequiredService<IStatisticsCache>();
        var wrongSession = () => h.Services.GetRequiredService<IStatisticsCache<Guid, Guid, long>>();

        longFace.Should().Throw<InvalidOperationException>().WithMessage(
            "*cannot be read as IStatisticsCache<long, long, long>*its team ids are Guid, not long; its experiment ids are Guid, not long; its session ids are Guid, not long*Resolve IStatisticsCache<Guid, Guid, Guid> instead*");
        plain.Should().Throw<InvalidOperationException>().WithMessage("*its team ids are Guid, not long*Resolve IStatisticsCache<Guid, Guid, Guid> instead*");
        wrongSession.Should().Throw<InvalidOperationException>().WithMessage("*its session ids are Guid, not long*")
            .Which.Message.Should().NotContain("team ids are", "only the kinds that do not fit are named");
        h.Services.GetRequiredService<IStatisticsCache<Guid, Guid, Guid>>().Should().NotBeNull();
    }

    [Fact]
    public async Task AMixedKeyedCacheNamesEachKindsType()
    {
        await using var h = await KeyedHarness.CreateAsync(server, Start, HostKeys.Parse("Int32/Guid/Int64/Guid"));

        var longFace = () => h.Services.GetRequiredService<IStatisticsCache<long, long, long>>();

        longFace.Should().Throw<InvalidOperationException>().WithMessage(
            "*its team ids are int, not long; its experiment ids are Guid, not long*Resolve IStatisticsCache<int, Guid, long> instead*")
            .Which.Message.Should().NotContain("session ids are");
        h.Services.GetRequiredService<IStatisticsCache<int, Guid, long>>().Should().NotBeNull();
    }

    [Theory]
    [InlineData(HostShape.GlobalSessionIds, HostSources.EntityModel)]
    [InlineData(HostShape.TeamScopedIds, HostSources.Sql)]
    public async Task AnIdOfAnotherTeamOrOfNobodyReadsAsEmptyInEveryMode(HostShape shape, HostSources sources)
    {
        await using var h = await KeyedHarness.CreateAsync(server, Start, HostKeys.Guid, shape, sources);
        var keys = (Team: (GuidKeyCodec)h.Keys.Team, Experiment: (GuidKeyCodec)h.Keys.Experiment, Session: (GuidKeyCodec)h.Keys.Session);
        await h.Data.AddSessionAsync(7, 1, 10, 100, Start.AddHours(-3));
        await h.Data.AddMessagesAsync(1, 10, 7, Start.AddHours(-3).AddMinutes(5), 2, "v1");
        await h.Data.AddSessionAsync(8, 2, 20, 200, Start.AddHours(-2));
        await h.Data.AddMessagesAsync(2, 20, 8, Start.AddHours(-2).AddMinutes(5), 1, "v2");
        var cache = h.Services.GetRequiredService<IStatisticsCache<Guid, Guid, Guid>>();
        (await cache.RefreshAsync()).Skipped.Should().BeFalse();
        // Rows after the refresh: real-time and live reads see them, and must keep the teams apart too.
        h.Advance(TimeSpan.FromMinutes(10));
        await h.Data.AddMessagesAsync(1, 10, 7, Start.AddMinutes(5), 1, "v1");

        var (team1, team2) = (keys.Team.Encode(1), keys.Team.Encode(2));
        var (experiment10, session7) = (keys.Experiment.Encode(10), keys.Session.Encode(7));
        var nobody = Guid.Parse("0badf00d-0000-0000-0000-000000000007");
        foreach (var mode in new[] { ReadMode.Cached, ReadMode.RealTime, ReadMode.Live })
        {
            var own = await cache.GetExperimentTotalsAsync(team1, [experiment10], mode);
            own[experiment10].HumanMessageCount.Should().Be(mode == ReadMode.Cached ? 2 : 3, "team 1 reads its own experiment ({0})", mode);
            own[experiment10].SessionCount.Should().Be(1);

            var foreign = await cache.GetExperimentTotalsAsync(team2, [experiment10, nobody], mode);
            foreign.Should().BeEquivalentTo(new Dictionary<Guid, ExperimentStats> { [experiment10] = ExperimentStats.Empty, [nobody] = ExperimentStats.Empty },
                "team 2 sees nothing of team 1's experiment, nor of an id nobody wrote ({0})", mode);
            var foreignSessions = await cache.GetSessionTotalsAsync(team2, [session7, nobody], mode);
            foreignSessions.Should().BeEquivalentTo(new Dictionary<Guid, SessionStats> { [session7] = SessionStats.Empty, [nobody] = SessionStats.Empty },
                "team 2 sees nothing of team 1's session ({0})", mode);
            (await cache.GetSessionTotalsAsync(keys.Team.Encode(3), [session7], mode))[session7].Should().BeEquivalentTo(SessionStats.Empty, "a team nobody wrote sees nothing ({0})", mode);
        }

        (await cache.GetExperimentBucketsAsync(team2, experiment10)).Should().BeEmpty();
        (await cache.GetExperimentBucketsAsync(team1, experiment10)).Should().NotBeEmpty();
        (await cache.GetSessionTotalsAsync(team1, [session7]))[session7].Versions.Should().Equal("v1");
    }

    [Fact]
    public async Task ReconcileAndVerifyReportTheirChangesWithTheHostsGuids()
    {
        await using var h = await KeyedHarness.CreateAsync(server, Start, HostKeys.Guid);
        var (team, experiment) = ((GuidKeyCodec)h.Keys.Team, (GuidKeyCodec)h.Keys.Experiment);
        await h.Data.AddSessionAsync(7, 1, 10, 100, Start.AddHours(-5));
        await h.Data.AddMessagesAsync(1, 10, 7, Start.AddHours(-5).AddMinutes(1), 1, "v1");
        await h.Data.AddSessionAsync(8, 2, 20, 200, Start.AddHours(-5));
        await h.Data.AddMessagesAsync(2, 20, 8, Start.AddHours(-5).AddMinutes(1), 1);
        var cache = h.Services.GetRequiredService<IStatisticsCache<Guid, Guid, Guid>>();
        await cache.RefreshAsync();

        // Rows committed later than the look-back behind their time: only a reconcile or a verify sees them.
        await h.Data.AddMessagesAsync(1, 10, 7, Start.AddHours(-4), 2);
        var reconciled = await cache.ReconcileAsync(new ReconcileRequest<Guid> { From = Start.AddDays(-1), To = Start, ExperimentIds = [experiment.Encode(10)] });
        var change = reconciled.Changes.Should().ContainSingle().Subject;
        (change.TeamId, change.ExperimentId).Should().Be((team.Encode(1), experiment.Encode(10)));
        change.After.HumanMessageCount.Should().Be(change.Before.HumanMessageCount + 2);

        await h.Data.AddMessagesAsync(2, 20, 8, Start.AddHours(-4), 1);
        var verified = await cache.VerifyAsync(VerifyRequest.Everything());
        var repaired = verified.Changes.Should().ContainSingle().Subject;
        (repaired.TeamId, repaired.ExperimentId).Should().Be((team.Encode(2), experiment.Encode(20)));
        (await cache.VerifyAsync(VerifyRequest.Everything(repair: false))).Clean.Should().BeTrue();
        await ExactTotals.AssertExactAsync(h, 1, "after the reconcile");
        await ExactTotals.AssertExactAsync(h, 2, "after the verify's repair");
    }
}

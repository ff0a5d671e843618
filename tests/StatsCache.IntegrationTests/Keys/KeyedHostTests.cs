using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Keys;

/// <summary>
/// The keyed test host itself: its tables (and the cache's) hold each kind of id in the host's type, and the codec that
/// maps the harness's <c>long</c> ids to those types is deterministic, reversible and keeps kinds apart.
/// Without these the keyed differential and property runs could pass over bigint columns unnoticed.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KeyedHostTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 8, 20, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("Int32", HostShape.GlobalSessionIds, HostSources.EntityModel)]
    [InlineData("Int32", HostShape.TeamScopedIds, HostSources.Sql)]
    [InlineData("Int32/Int64/Int32/Int64", HostShape.GlobalSessionIds, HostSources.EntityModel)]
    [InlineData("Guid", HostShape.GlobalSessionIds, HostSources.EntityModel)]
    [InlineData("Guid", HostShape.TeamScopedIds, HostSources.Sql)]
    [InlineData("Int32/Guid/Int64/Guid", HostShape.GlobalSessionIds, HostSources.Sql)]
    public async Task TheHostTablesAndTheCachesHoldEachKindOfIdInItsType(string keyTypes, HostShape shape, HostSources sources)
    {
        var keys = HostKeys.Parse(keyTypes);
        await using var h = await KeyedHarness.CreateAsync(server, Start, keys, shape, sources);

        var columns = await h.IdColumnTypesAsync();

        string Type(KeyCodec codec) => codec.Type switch { KeyType.Int64 => "bigint", KeyType.Int32 => "integer", _ => "uuid" };
        columns.Should().Contain(
        [
            $"chat_sessions.id {Type(keys.Session)}",
            $"chat_sessions.team_id {Type(keys.Team)}",
            $"chat_sessions.experiment_id {Type(keys.Experiment)}",
            $"chat_sessions.participant_id {Type(keys.Participant)}",
            $"chat_messages.team_id {Type(keys.Team)}",
            $"chat_messages.experiment_id {Type(keys.Experiment)}",
            $"chat_messages.session_id {Type(keys.Session)}",
            $"message_versions.session_id {Type(keys.Session)}",
            $"experiments.id {Type(keys.Experiment)}",
            // The cache's own tables follow: from the EF model's generic entities, or the declared Keys.
            $"statscache_experiment_buckets.team_id {Type(keys.Team)}",
            $"statscache_experiment_buckets.experiment_id {Type(keys.Experiment)}",
            $"statscache_experiment_totals.experiment_id {Type(keys.Experiment)}",
            $"statscache_session_statistics.team_id {Type(keys.Team)}",
            $"statscache_session_statistics.session_id {Type(keys.Session)}",
            $"statscache_participant_first_seen.participant_id {Type(keys.Participant)}",
        ]);
        if (shape == HostShape.TeamScopedIds)
        {
            columns.Should().Contain($"message_versions.team_id {Type(keys.Team)}");
        }

        // The rows written and the live SQL go through the codec: what was written reads back per id.
        await h.Data.AddSessionAsync(7, 1, 10, 100, Start.AddHours(-3));
        await h.Data.AddMessagesAsync(1, 10, 7, Start.AddHours(-2), 2, "v1");
        (await h.Live.ExperimentsAsync(1, Start)).Should().ContainKey(10).WhoseValue.HumanMessageCount.Should().Be(2);
        (await h.Live.SessionsAsync(1, Start)).Should().ContainKey(7).WhoseValue.Versions.Should().Equal("v1");
    }

    [Fact]
    public void AGuidIdCarriesTheNumberInItsLowBytesBehindAPrefixPerKind()
    {
        var keys = HostKeys.Guid;
        var session = (GuidKeyCodec)keys.Session;
        var experiment = (GuidKeyCodec)keys.Experiment;

        session.Encode(42).ToString().Should().Be("5e550000-0000-0000-0000-00000000002a");
        experiment.Encode(42).ToString().Should().Be("e1000000-0000-0000-0000-00000000002a");
        session.Encode(long.MaxValue).ToString().Should().Be("5e550000-0000-0000-7fff-ffffffffffff");
        session.Decode(session.Encode(123_456_789_012)).Should().Be(123_456_789_012);
        session.Encode(42).Should().Be(session.Encode(42), "deterministic");

        var wrongKind = () => session.Decode(experiment.Encode(42));
        wrongKind.Should().Throw<InvalidOperationException>().WithMessage("*is not a Session id*");
    }

    [Fact]
    public void AnIntIdIsACheckedCast()
    {
        var team = (Int32KeyCodec)HostKeys.Int32.Team;
        team.Encode(int.MaxValue).Should().Be(int.MaxValue);
        var tooLarge = () => team.Encode((long)int.MaxValue + 1);
        tooLarge.Should().Throw<OverflowException>();
        HostKeys.Parse("Int32/Guid/Int64/Guid").ToString().Should().Be("Int32/Guid/Int64/Guid");
        HostKeys.Parse("Guid").ToString().Should().Be("Guid");
    }
}

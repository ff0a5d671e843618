using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using StatsCache.Internal;
using StatsCache.Sources;

namespace StatsCache.Tests.DependencyInjection;

public class EntitySourceMappingTests
{
    [Fact]
    public void FullSessionProjectionIsRecordedByCanonicalName()
    {
        var (builder, marker) = Builder();

        builder.MapSessions<ChatSession>(s => new { TeamId = s.Team, ExperimentId = s.BotId, SessionId = s.Id, s.ParticipantId, CreatedAt = s.StartedAt });

        var mapping = marker.EntitySources.Should().ContainSingle().Subject;
        mapping.Role.Should().Be(SourceRole.Sessions);
        mapping.EntityType.Should().Be<ChatSession>();
        mapping.PropertyByCanonical.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["team_id"] = "Team",
            ["experiment_id"] = "BotId",
            ["session_id"] = "Id",
            ["participant_id"] = "ParticipantId",
            ["created_at"] = "StartedAt",
        });
    }

    [Fact]
    public void HumanMessageAndVersionProjectionsAreRecorded()
    {
        var (builder, marker) = Builder();

        builder
            .MapHumanMessages<ChatMessage>(m => new { m.TeamId, m.ExperimentId, m.SessionId, m.CreatedAt })
            .MapVersions<ChatMessage>(m => new { m.SessionId, Version = m.VersionLabel, m.CreatedAt });

        marker.EntitySources.Select(m => m.Role).Should().Equal(SourceRole.HumanMessages, SourceRole.Versions);
        marker.EntitySources[0].PropertyByCanonical.Keys.Should().BeEquivalentTo("team_id", "experiment_id", "session_id", "created_at");
        marker.EntitySources[1].PropertyByCanonical.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["session_id"] = "SessionId",
            ["version"] = "VersionLabel",
            ["created_at"] = "CreatedAt",
        });
    }

    [Fact]
    public void ConvertedPropertiesAreAccepted()
    {
        var (builder, marker) = Builder();

        // An explicit cast is a Convert node around the property; it still names the property.
        builder.MapSessions<ChatSession>(s => new { TeamId = (long)s.Team, ExperimentId = s.BotId, SessionId = s.Id, ParticipantId = (long?)s.ParticipantId, CreatedAt = s.StartedAt });

        marker.EntitySources.Single().PropertyByCanonical["team_id"].Should().Be("Team");
    }

    [Fact]
    public void MappingARoleAgainReplacesTheEarlierMapping()
    {
        var (builder, marker) = Builder();

        builder.MapVersions<ChatMessage>(m => new { m.SessionId, Version = m.VersionLabel, m.CreatedAt });
        builder.MapVersions<ChatSession>(s => new { SessionId = s.Id, Version = s.Label, CreatedAt = s.StartedAt });

        var mapping = marker.EntitySources.Should().ContainSingle().Subject;
        mapping.EntityType.Should().Be<ChatSession>();
        mapping.PropertyByCanonical["session_id"].Should().Be("Id");
    }

    [Fact]
    public void MissingRoleIsNamed()
    {
        var (builder, marker) = Builder();

        var act = () => builder.MapSessions<ChatSession>(s => new { TeamId = s.Team, ExperimentId = s.BotId, SessionId = s.Id, CreatedAt = s.StartedAt });

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "projection")
            .WithMessage("MapSessions: the projection does not name ParticipantId.*");
        marker.EntitySources.Should().BeEmpty();
    }

    [Fact]
    public void SeveralMissingRolesAreAllNamed()
    {
        var (builder, _) = Builder();

        var act = () => builder.MapHumanMessages<ChatMessage>(m => new { m.SessionId });

        act.Should().Throw<ArgumentException>().WithMessage("MapHumanMessages: the projection does not name TeamId, ExperimentId, CreatedAt.*");
    }

    [Fact]
    public void UnknownRoleIsNamed()
    {
        var (builder, _) = Builder();

        var act = () => builder.MapVersions<ChatMessage>(m => new { m.SessionId, Label = m.VersionLabel, m.CreatedAt });

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "projection")
            .WithMessage("MapVersions: 'Label' is not a role; the roles are SessionId, Version, CreatedAt (optional: TeamId).*");
    }

    [Fact]
    public void RoleOfAnotherSourceIsUnknown()
    {
        var (builder, _) = Builder();

        // TeamId is an optional role of version tags (ids unique within a team); ExperimentId is not one.
        var act = () => builder.MapVersions<ChatMessage>(m => new { m.SessionId, Version = m.VersionLabel, m.CreatedAt, m.ExperimentId });

        act.Should().Throw<ArgumentException>().WithMessage("*'ExperimentId' is not a role*");
    }

    [Fact]
    public void ComputedValueIsRejected()
    {
        var (builder, _) = Builder();

        var act = () => builder.MapSessions<ChatSession>(s => new { TeamId = s.Team + 1, ExperimentId = s.BotId, SessionId = s.Id, s.ParticipantId, CreatedAt = s.StartedAt });

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "projection")
            .WithMessage("MapSessions: TeamId must be a property of ChatSession itself (e.g. e.TeamId)*");
    }

    [Fact]
    public void NavigationPathIsRejected()
    {
        var (builder, _) = Builder();

        var act = () => builder.MapHumanMessages<ChatMessage>(m => new { TeamId = m.Session!.Team, m.ExperimentId, m.SessionId, m.CreatedAt });

        act.Should().Throw<ArgumentException>().WithMessage("MapHumanMessages: TeamId must be a property of ChatMessage itself*");
    }

    [Fact]
    public void ConstantIsRejected()
    {
        var (builder, _) = Builder();

        var act = () => builder.MapVersions<ChatMessage>(m => new { m.SessionId, Version = "v1", m.CreatedAt });

        act.Should().Throw<ArgumentException>().WithMessage("MapVersions: Version must be a property of ChatMessage itself*");
    }

    [Fact]
    public void ProjectionThatIsNotAnAnonymousObjectIsRejected()
    {
        var (builder, _) = Builder();

        var act = () => builder.MapVersions<ChatMessage>(m => m.SessionId);

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "projection")
            .WithMessage("MapVersions expects an anonymous object naming the roles, e.g. e => new { SessionId = e.SessionId, Version = e.Version, CreatedAt = e.CreatedAt }*");
    }

    [Fact]
    public void NullProjectionIsRejected()
    {
        var (builder, _) = Builder();

        var act = () => builder.MapSessions<ChatSession>(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    private static (StatisticsCacheBuilder Builder, StatisticsCacheMarker Marker) Builder()
    {
        var services = new ServiceCollection();
        var builder = services.AddStatisticsCache(o => o.ConnectionString = "Host=localhost");
        var marker = services.Select(d => d.ImplementationInstance).OfType<StatisticsCacheMarker>().Single();
        return (builder, marker);
    }

    private sealed class ChatSession
    {
        public long Id { get; set; }

        public int Team { get; set; }

        public long BotId { get; set; }

        public int? ParticipantId { get; set; }

        public DateTime StartedAt { get; set; }

        public string Label { get; set; } = "";
    }

    private sealed class ChatMessage
    {
        public long TeamId { get; set; }

        public long ExperimentId { get; set; }

        public long SessionId { get; set; }

        public DateTime CreatedAt { get; set; }

        public string VersionLabel { get; set; } = "";

        public ChatSession? Session { get; set; }
    }
}

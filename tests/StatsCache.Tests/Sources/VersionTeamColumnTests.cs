using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using StatsCache.Sources;

namespace StatsCache.Tests.Sources;

/// <summary>The optional team column of version tags: named in options, or mapped as <c>TeamId</c> of an entity.</summary>
public class VersionTeamColumnTests
{
    [Fact]
    public void WithoutATeamColumnTagsExposeNoTeam()
    {
        var versions = new VersionSourceOptions { Table = "message_versions" };

        versions.HasTeam.Should().BeFalse();
        SourceRelation.ToSql(versions).Should().Be(
            "(SELECT t.\"session_id\" AS session_id, t.\"version\" AS version, t.\"created_at\" AS created_at FROM \"message_versions\" AS t)");
    }

    [Fact]
    public void ATeamColumnNamedInOptionsIsExposedAndValidated()
    {
        var versions = new VersionSourceOptions { Table = "message_versions", TeamIdColumn = "team" };

        versions.HasTeam.Should().BeTrue();
        SourceRelation.ToSql(versions).Should().StartWith("(SELECT t.\"team\" AS team_id, t.\"session_id\" AS session_id");
        SourceRelation.Validate(new VersionSourceOptions { Table = "v", TeamIdColumn = "team; drop" }, "Versions", required: false)
            .Should().ContainSingle().Which.Should().Contain("team_id");
    }

    [Fact]
    public void AnEntityMappingMayNameTheTeam()
    {
        using var context = HostContext.Create();
        var withTeam = EntitySourceMapping.From<Tag>(SourceRole.Versions, Roles<Tag>(v => new { v.TeamId, v.SessionId, Version = v.Label, v.CreatedAt }));
        var target = new VersionSourceOptions();

        EntityModelSourceResolver.Apply(context.Model, withTeam, target);

        (target.Table, target.TeamIdColumn, target.SessionIdColumn, target.VersionColumn).Should().Be(("tags", "team_ref", "SessionId", "label"));

        var withoutTeam = EntitySourceMapping.From<Tag>(SourceRole.Versions, Roles<Tag>(v => new { v.SessionId, Version = v.Label, v.CreatedAt }));
        var plain = new VersionSourceOptions();
        EntityModelSourceResolver.Apply(context.Model, withoutTeam, plain);
        plain.TeamIdColumn.Should().BeNull("the team is optional for version tags");
    }

    [Fact]
    public void TheTeamStaysRequiredForSessions()
    {
        var act = () => EntitySourceMapping.From<Tag>(SourceRole.Sessions, Roles<Tag>(v => new { ExperimentId = v.TeamId, v.SessionId, ParticipantId = v.TeamId, v.CreatedAt }));

        act.Should().Throw<ArgumentException>().WithMessage("*does not name TeamId*");
    }

    private static System.Linq.Expressions.Expression<Func<T, object?>> Roles<T>(System.Linq.Expressions.Expression<Func<T, object?>> roles) => roles;

    private sealed class Tag
    {
        public long Id { get; set; }

        public long TeamId { get; set; }

        public long SessionId { get; set; }

        public string Label { get; set; } = "";

        public DateTime CreatedAt { get; set; }
    }

    private sealed class HostContext(DbContextOptions<HostContext> options) : DbContext(options)
    {
        public static HostContext Create() =>
            new(new DbContextOptionsBuilder<HostContext>().UseNpgsql("Host=localhost;Database=unused").Options);

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Tag>(e =>
            {
                e.ToTable("tags");
                e.Property(t => t.TeamId).HasColumnName("team_ref");
                e.Property(t => t.Label).HasColumnName("label");
            });
        }
    }
}

using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using StatsCache.Sources;

namespace StatsCache.Tests.Sources;

/// <summary>Entity-mapped sources take table and column names from the host's EF model (built here without a database).</summary>
public class EntityModelSourceResolverTests
{
    [Fact]
    public void TableAndColumnNamesComeFromTheModel()
    {
        using var context = HostContext.Create();
        var mapping = EntitySourceMapping.From<Conversation>(SourceRole.Sessions, Roles<Conversation>(c => new { c.TeamId, ExperimentId = c.BotId, SessionId = c.Id, c.ParticipantId, CreatedAt = c.StartedAt }));
        var target = new SessionSourceOptions { Sql = "SELECT 1" };

        EntityModelSourceResolver.Apply(context.Model, mapping, target);

        target.Sql.Should().BeNull("an entity mapping replaces a SELECT");
        (target.Schema, target.Table).Should().Be(("chat", "conversations"));
        SourceRelation.ToSql(target).Should().Be(
            "(SELECT t.\"team\" AS team_id, t.\"bot_id\" AS experiment_id, t.\"Id\" AS session_id, " +
            "t.\"participant_id\" AS participant_id, t.\"started_at\" AS created_at FROM \"chat\".\"conversations\" AS t)");
    }

    [Fact]
    public void ViewsAreReadByTheirViewName()
    {
        using var context = HostContext.Create();
        var mapping = EntitySourceMapping.From<HumanMessageRow>(SourceRole.HumanMessages, Roles<HumanMessageRow>(m => new { m.TeamId, m.ExperimentId, m.SessionId, m.CreatedAt }));
        var target = new HumanMessageSourceOptions();

        EntityModelSourceResolver.Apply(context.Model, mapping, target);

        (target.Schema, target.Table).Should().Be(("reporting", "human_messages_v"));
        (target.TeamIdColumn, target.ExperimentIdColumn, target.SessionIdColumn, target.CreatedAtColumn)
            .Should().Be(("TeamId", "ExperimentId", "SessionId", "sent_at"));
    }

    [Fact]
    public void AnEntityOutsideTheModelIsNamed()
    {
        using var context = HostContext.Create();
        var mapping = EntitySourceMapping.From<NotInModel>(SourceRole.Versions, Roles<NotInModel>(v => new { v.SessionId, v.Version, v.CreatedAt }));

        var act = () => EntityModelSourceResolver.Apply(context.Model, mapping, new VersionSourceOptions());

        act.Should().Throw<InvalidOperationException>().WithMessage("*NotInModel*Versions*not an entity type*");
    }

    [Fact]
    public void AnIgnoredPropertyIsNamed()
    {
        using var context = HostContext.Create();
        var mapping = EntitySourceMapping.From<Conversation>(SourceRole.Sessions, Roles<Conversation>(c => new { c.TeamId, ExperimentId = c.BotId, SessionId = c.Id, ParticipantId = c.Unmapped, CreatedAt = c.StartedAt }));

        var act = () => EntityModelSourceResolver.Apply(context.Model, mapping, new SessionSourceOptions());

        act.Should().Throw<InvalidOperationException>().WithMessage("*Conversation.Unmapped is not a mapped property*");
    }

    private static System.Linq.Expressions.Expression<Func<T, object?>> Roles<T>(System.Linq.Expressions.Expression<Func<T, object?>> roles) => roles;

    private sealed class Conversation
    {
        public long Id { get; set; }

        public long TeamId { get; set; }

        public long BotId { get; set; }

        public long? ParticipantId { get; set; }

        public DateTime StartedAt { get; set; }

        public long? Unmapped { get; set; }
    }

    private sealed class HumanMessageRow
    {
        public long TeamId { get; set; }

        public long ExperimentId { get; set; }

        public long SessionId { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    private sealed class NotInModel
    {
        public long SessionId { get; set; }

        public string Version { get; set; } = "";

        public DateTime CreatedAt { get; set; }
    }

    private sealed class HostContext(DbContextOptions<HostContext> options) : DbContext(options)
    {
        public static HostContext Create() =>
            new(new DbContextOptionsBuilder<HostContext>().UseNpgsql("Host=localhost;Database=unused").Options);

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Conversation>(e =>
            {
                e.ToTable("conversations", "chat");
                e.Property(c => c.TeamId).HasColumnName("team");
                e.Property(c => c.BotId).HasColumnName("bot_id");
                e.Property(c => c.ParticipantId).HasColumnName("participant_id");
                e.Property(c => c.StartedAt).HasColumnName("started_at");
                e.Ignore(c => c.Unmapped);
            });
            modelBuilder.Entity<HumanMessageRow>(e =>
            {
                e.HasNoKey();
                e.ToView("human_messages_v", "reporting");
                e.Property(m => m.CreatedAt).HasColumnName("sent_at");
            });
        }
    }
}

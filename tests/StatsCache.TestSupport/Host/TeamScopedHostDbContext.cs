using Microsoft.EntityFrameworkCore;

namespace StatsCache.TestSupport.Host;

/// <summary>
/// A host whose ids are unique only within a team: the same table and column names as
/// <see cref="HostDbContext"/>, but sessions and experiments keyed (team_id, id) and version tags
/// with a team_id column, mapped to the cache with <c>MapVersions(v =&gt; new { v.TeamId, … })</c>.
/// </summary>
public sealed class TeamScopedHostDbContext(DbContextOptions<TeamScopedHostDbContext> options) : DbContext(options)
{
    public DbSet<ChatSession> Sessions => Set<ChatSession>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Experiment>(e =>
        {
            e.ToTable("experiments");
            e.HasKey(x => new { x.TeamId, x.Id });
            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(x => x.TeamId).HasColumnName("team_id");
            e.Property(x => x.Name).HasColumnName("name");
        });
        modelBuilder.Entity<ChatSession>(e =>
        {
            e.ToTable("chat_sessions");
            e.HasKey(x => new { x.TeamId, x.Id });
            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(x => x.TeamId).HasColumnName("team_id");
            e.Property(x => x.ExperimentId).HasColumnName("experiment_id");
            e.Property(x => x.ParticipantId).HasColumnName("participant_id");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.HasIndex(x => x.CreatedAt);
        });
        modelBuilder.Entity<ChatMessage>(e =>
        {
            e.ToTable("chat_messages");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.TeamId).HasColumnName("team_id");
            e.Property(x => x.ExperimentId).HasColumnName("experiment_id");
            e.Property(x => x.SessionId).HasColumnName("session_id");
            e.Property(x => x.IsHuman).HasColumnName("is_human");
            e.Property(x => x.Tokens).HasColumnName("tokens");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.HasIndex(x => x.CreatedAt);
            e.HasIndex(x => new { x.SessionId, x.CreatedAt });
        });
        modelBuilder.Entity<MessageVersion>(e =>
        {
            e.ToTable("message_versions");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.TeamId).HasColumnName("team_id");
            e.Property(x => x.SessionId).HasColumnName("session_id");
            e.Ignore(x => x.MessageId);
            e.Property(x => x.Label).HasColumnName("version_label");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.HasIndex(x => x.SessionId);
            e.HasIndex(x => x.CreatedAt);
        });
        modelBuilder.UseStatisticsCache();
    }
}

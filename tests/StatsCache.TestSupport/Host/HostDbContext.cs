using Microsoft.EntityFrameworkCore;

namespace StatsCache.TestSupport.Host;

/// <summary>
/// The host application's own context: its tables in snake_case (as a naming convention would make
/// them), plus the cache's tables through <c>UseStatisticsCache()</c>.
/// </summary>
public sealed class HostDbContext(DbContextOptions<HostDbContext> options) : DbContext(options)
{
    public DbSet<Experiment> Experiments => Set<Experiment>();

    public DbSet<ChatSession> Sessions => Set<ChatSession>();

    public DbSet<ChatMessage> Messages => Set<ChatMessage>();

    public DbSet<MessageVersion> Versions => Set<MessageVersion>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Experiment>(e =>
        {
            e.ToTable("experiments");
            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(x => x.TeamId).HasColumnName("team_id");
            e.Property(x => x.Name).HasColumnName("name");
        });
        modelBuilder.Entity<ChatSession>(e =>
        {
            e.ToTable("chat_sessions");
            e.Property(x => x.Id).HasColumnName("id");
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
            e.Property(x => x.SessionId).HasColumnName("session_id");
            e.Ignore(x => x.TeamId);
            e.Ignore(x => x.MessageId);
            e.Property(x => x.Label).HasColumnName("version_label");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.HasIndex(x => x.SessionId);
            e.HasIndex(x => x.CreatedAt);
        });
        modelBuilder.UseStatisticsCache();
    }
}

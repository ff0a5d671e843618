using Microsoft.EntityFrameworkCore;

namespace StatsCache.SampleHost.Data;

/// <summary>
/// The host's DbContext: its own tables with snake_case names mapped explicitly (as an existing
/// schema would be), plus the statistics cache's tables through <c>UseStatisticsCache()</c>.
/// </summary>
public sealed class SampleDbContext(DbContextOptions<SampleDbContext> options) : DbContext(options)
{
    public DbSet<Team> Teams => Set<Team>();

    public DbSet<Experiment> Experiments => Set<Experiment>();

    public DbSet<Participant> Participants => Set<Participant>();

    public DbSet<ExperimentSession> Sessions => Set<ExperimentSession>();

    public DbSet<ChatMessage> Messages => Set<ChatMessage>();

    public DbSet<MessageVersion> MessageVersions => Set<MessageVersion>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Team>(e =>
        {
            e.ToTable("teams");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Name).HasColumnName("name");
        });

        modelBuilder.Entity<Experiment>(e =>
        {
            e.ToTable("experiments");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.TeamId).HasColumnName("team_id");
            e.Property(x => x.Name).HasColumnName("name");
            e.HasOne<Team>().WithMany().HasForeignKey(x => x.TeamId);
        });

        modelBuilder.Entity<Participant>(e =>
        {
            e.ToTable("participants");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.TeamId).HasColumnName("team_id");
            e.Property(x => x.Identifier).HasColumnName("identifier");
            e.HasOne<Team>().WithMany().HasForeignKey(x => x.TeamId);
        });

        modelBuilder.Entity<ExperimentSession>(e =>
        {
            e.ToTable("experiment_sessions");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.TeamId).HasColumnName("team_id");
            e.Property(x => x.ExperimentId).HasColumnName("experiment_id");
            e.Property(x => x.ParticipantId).HasColumnName("participant_id");
            e.Property(x => x.CreatedAt).HasColumnName("created_at").HasColumnType("timestamptz");
            e.HasOne<Team>().WithMany().HasForeignKey(x => x.TeamId);
            e.HasOne<Experiment>().WithMany().HasForeignKey(x => x.ExperimentId);
            e.HasOne<Participant>().WithMany().HasForeignKey(x => x.ParticipantId);
            // Refresh reads sessions by creation time.
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
            e.Property(x => x.CreatedAt).HasColumnName("created_at").HasColumnType("timestamptz");
            // team_id and experiment_id are denormalised copies of the session's (so the cache's
            // source needs no join); only the session is a foreign key, as in Open Chat Studio.
            e.HasOne<ExperimentSession>().WithMany().HasForeignKey(x => x.SessionId);
            // Refresh reads messages by time, and per session by time.
            e.HasIndex(x => x.CreatedAt);
            e.HasIndex(x => new { x.SessionId, x.CreatedAt });
        });

        modelBuilder.Entity<MessageVersion>(e =>
        {
            e.ToTable("message_versions");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.MessageId).HasColumnName("message_id");
            e.Property(x => x.SessionId).HasColumnName("session_id");
            e.Property(x => x.Version).HasColumnName("version").HasColumnType("text");
            e.Property(x => x.CreatedAt).HasColumnName("created_at").HasColumnType("timestamptz");
            e.HasOne<ChatMessage>().WithMany().HasForeignKey(x => x.MessageId);
            // Refresh reads the versions of the sessions it touches, and versions by time.
            e.HasIndex(x => x.SessionId);
            e.HasIndex(x => x.CreatedAt);
        });

        // The cache's own tables (buckets, per-session totals, bookkeeping) join the host's model,
        // so they arrive through the host's migrations.
        modelBuilder.UseStatisticsCache();
    }
}

using Microsoft.EntityFrameworkCore;
using StatsCache.TestSupport.Host;

namespace StatsCache.Benchmarks.Host;

/// <summary>
/// The host's DbContext: its own tables, plus the cache's through <c>UseStatisticsCache()</c>. The entities
/// are the tests' (tests/StatsCache.TestSupport/Host); the mapping is the workload schema's
/// (Workload/WorkloadSchema.cs creates the tables, Open-Chat-Studio-like as in the sample: a version tag
/// names its message and its label is the <c>version</c> column), so the benchmark keeps its own context.
/// </summary>
public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    public DbSet<Experiment> Experiments => Set<Experiment>();

    public DbSet<ChatSession> Sessions => Set<ChatSession>();

    public DbSet<MessageVersion> Versions => Set<MessageVersion>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Experiment>(e =>
        {
            e.ToTable("experiments");
            e.Property(x => x.Id).HasColumnName("id");
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
        });
        modelBuilder.Entity<MessageVersion>(e =>
        {
            e.ToTable("message_versions");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.MessageId).HasColumnName("message_id");
            e.Property(x => x.SessionId).HasColumnName("session_id");
            e.Ignore(x => x.TeamId);
            e.Property(x => x.Label).HasColumnName("version");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
        });
        modelBuilder.UseStatisticsCache();
    }
}

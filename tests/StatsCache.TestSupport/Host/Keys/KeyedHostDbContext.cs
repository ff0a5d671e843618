using Microsoft.EntityFrameworkCore;

namespace StatsCache.TestSupport.Host;

/// <summary>
/// <see cref="HostDbContext"/> with the host's own key types: the same tables and column names, each id
/// column of its kind's type (bigint, integer or uuid, as EF maps <c>long</c>, <c>int</c> and <c>Guid</c>),
/// plus the cache's tables. Global session ids; <see cref="TeamScopedKeyedHostDbContext{TTeamId, TExperimentId, TSessionId, TParticipantId}"/>
/// is the team-scoped shape.
/// </summary>
public sealed class KeyedHostDbContext<TTeamId, TExperimentId, TSessionId, TParticipantId>(DbContextOptions<KeyedHostDbContext<TTeamId, TExperimentId, TSessionId, TParticipantId>> options)
    : DbContext(options)
    where TTeamId : struct
    where TExperimentId : struct
    where TSessionId : struct
    where TParticipantId : struct
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        KeyedHostModel.Configure<TTeamId, TExperimentId, TSessionId, TParticipantId>(modelBuilder, HostShape.GlobalSessionIds);
}

/// <summary><see cref="TeamScopedHostDbContext"/> with the host's own key types.</summary>
public sealed class TeamScopedKeyedHostDbContext<TTeamId, TExperimentId, TSessionId, TParticipantId>(DbContextOptions<TeamScopedKeyedHostDbContext<TTeamId, TExperimentId, TSessionId, TParticipantId>> options)
    : DbContext(options)
    where TTeamId : struct
    where TExperimentId : struct
    where TSessionId : struct
    where TParticipantId : struct
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        KeyedHostModel.Configure<TTeamId, TExperimentId, TSessionId, TParticipantId>(modelBuilder, HostShape.TeamScopedIds);
}

/// <summary>The model of the keyed host contexts, written once for both shapes.</summary>
public static class KeyedHostModel
{
    /// <summary>The context type of <paramref name="shape"/> with the key types of <paramref name="keys"/>.</summary>
    public static Type ContextType(HostShape shape, HostKeys keys) =>
        (shape == HostShape.TeamScopedIds ? typeof(TeamScopedKeyedHostDbContext<,,,>) : typeof(KeyedHostDbContext<,,,>)).MakeGenericType(keys.ClrTypes);

    public static void Configure<TTeamId, TExperimentId, TSessionId, TParticipantId>(ModelBuilder modelBuilder, HostShape shape)
        where TTeamId : struct
        where TExperimentId : struct
        where TSessionId : struct
        where TParticipantId : struct
    {
        var scoped = shape == HostShape.TeamScopedIds;
        modelBuilder.Entity<Experiment<TTeamId, TExperimentId>>(e =>
        {
            e.ToTable("experiments");
            if (scoped)
            {
                e.HasKey(x => new { x.TeamId, x.Id });
            }

            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(x => x.TeamId).HasColumnName("team_id");
            e.Property(x => x.Name).HasColumnName("name");
        });
        modelBuilder.Entity<ChatSession<TTeamId, TExperimentId, TSessionId, TParticipantId>>(e =>
        {
            e.ToTable("chat_sessions");
            if (scoped)
            {
                e.HasKey(x => new { x.TeamId, x.Id });
            }

            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(x => x.TeamId).HasColumnName("team_id");
            e.Property(x => x.ExperimentId).HasColumnName("experiment_id");
            e.Property(x => x.ParticipantId).HasColumnName("participant_id");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.HasIndex(x => x.CreatedAt);
        });
        modelBuilder.Entity<ChatMessage<TTeamId, TExperimentId, TSessionId>>(e =>
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
        modelBuilder.Entity<MessageVersion<TTeamId, TSessionId>>(e =>
        {
            e.ToTable("message_versions");
            e.Property(x => x.Id).HasColumnName("id");
            if (scoped)
            {
                e.Property(x => x.TeamId).HasColumnName("team_id");
            }
            else
            {
                e.Ignore(x => x.TeamId);
            }

            e.Property(x => x.SessionId).HasColumnName("session_id");
            e.Property(x => x.Label).HasColumnName("version_label");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.HasIndex(x => x.SessionId);
            e.HasIndex(x => x.CreatedAt);
        });
        // The cache's own tables with the host's key types: where the cache takes its key types from.
        modelBuilder.UseStatisticsCache<TTeamId, TExperimentId, TSessionId, TParticipantId>();
    }
}

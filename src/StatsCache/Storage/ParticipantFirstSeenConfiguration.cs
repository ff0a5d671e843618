using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>Maps <see cref="ParticipantFirstSeen{TTeamId, TExperimentId, TParticipantId}"/>.</summary>
/// <typeparam name="TEntity">The mapped entity type.</typeparam>
/// <typeparam name="TTeamId">The type of team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of experiment ids.</typeparam>
/// <typeparam name="TParticipantId">The type of participant ids.</typeparam>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class ParticipantFirstSeenConfiguration<TEntity, TTeamId, TExperimentId, TParticipantId>(string? schema = null) : IEntityTypeConfiguration<TEntity>
    where TEntity : ParticipantFirstSeen<TTeamId, TExperimentId, TParticipantId>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<TEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToDefaultTable(StorageTableNames.ParticipantFirstSeen, schema);
        builder.HasKey(p => new { p.TeamId, p.ExperimentId, p.ParticipantId });
        builder.Property(p => p.TeamId).HasColumnName("team_id");
        builder.Property(p => p.ExperimentId).HasColumnName("experiment_id");
        builder.Property(p => p.ParticipantId).HasColumnName("participant_id");
        builder.Property(p => p.FirstSeenAt).HasColumnName("first_seen_at");
        // A refresh counts the participants first seen in its window: a range scan on this index,
        // whose cost follows the window, not the table.
        builder.HasIndex(p => p.FirstSeenAt).HasDatabaseName("ix_statscache_participant_first_seen_at");
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StatsCache.Storage;

/// <summary>Maps <see cref="ParticipantFirstSeen"/>.</summary>
/// <param name="schema">Schema of the table; null uses the model's default.</param>
internal sealed class ParticipantFirstSeenConfiguration(string? schema = null) : IEntityTypeConfiguration<ParticipantFirstSeen>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<ParticipantFirstSeen> builder)
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

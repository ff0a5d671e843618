using StatsCache.Sources;
using StatsCache.Storage;

// In EF Core's namespace so a host's OnModelCreating needs no extra using.
// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds the statistics cache's tables to a host's model.</summary>
public static class StatisticsCacheModelBuilderExtensions
{
    /// <summary>
    /// Applies the entity configurations of the cache's tables (buckets, session totals,
    /// participant first-seen, state, run history, tracked source changes), the per-experiment <see cref="ExperimentStatistics"/> totals and the host-declared measures' tables (<see cref="ExperimentMeasure"/> and its buckets, session measures, registrations), so they arrive through the host's own migrations.
    /// </summary>
    /// <param name="modelBuilder">The host's model builder.</param>
    /// <param name="schema">Schema for the tables; null uses the model's default schema.</param>
    /// <returns>The same model builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a plain identifier (e.g. <c>my-stats</c>): the cache's statements would refuse it, and the host's model could not be built.</exception>
    /// <remarks>
    /// To rename one of the tables, configure it with <c>modelBuilder.Entity&lt;ExperimentBucket&gt;().ToTable(…)</c>
    /// <em>before</em> or after this call; the cache reads every table's name back from the model.
    /// </remarks>
    public static ModelBuilder UseStatisticsCache(this ModelBuilder modelBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        RequirePlainSchema(schema);
        modelBuilder.ApplyConfiguration(new ExperimentBucketConfiguration<ExperimentBucket, long, long>(schema));
        modelBuilder.ApplyConfiguration(new SessionStatisticsConfiguration<SessionStatistics, long, long, long>(schema));
        modelBuilder.ApplyConfiguration(new ParticipantFirstSeenConfiguration<ParticipantFirstSeen, long, long, long>(schema));
        modelBuilder.ApplyConfiguration(new CacheStateConfiguration<CacheState, long>(schema));
        modelBuilder.ApplyConfiguration(new MaintenanceRunConfiguration(schema));
        modelBuilder.ApplyConfiguration(new SourceChangeConfiguration<SourceChange, long, long, long>(schema));
        modelBuilder.ApplyConfiguration(new ExperimentStatisticsConfiguration<ExperimentStatistics, long, long>(schema));
        modelBuilder.ApplyConfiguration(new ExperimentMeasureBucketConfiguration<ExperimentMeasureBucket, long, long>(schema));
        modelBuilder.ApplyConfiguration(new ExperimentMeasureConfiguration<ExperimentMeasure, long, long>(schema));
        modelBuilder.ApplyConfiguration(new SessionMeasureConfiguration<SessionMeasure, long, long, long>(schema));
        modelBuilder.ApplyConfiguration(new MeasureRegistrationConfiguration(schema));
        return modelBuilder;
    }

    /// <summary>
    /// Applies the entity configurations of the cache's tables for a host whose ids are of the given types
    /// (each <c>long</c>, <c>int</c> or <c>Guid</c>, stored as <c>bigint</c>, <c>integer</c> or <c>uuid</c>): the closed
    /// generic entities (<see cref="ExperimentBucket{TTeamId, TExperimentId}"/>, <see cref="SessionStatistics{TTeamId, TExperimentId, TSessionId}"/>,
    /// <see cref="ParticipantFirstSeen{TTeamId, TExperimentId, TParticipantId}"/>, <see cref="CacheState{TExperimentId}"/>,
    /// <see cref="SourceChange{TTeamId, TExperimentId, TSessionId}"/>, <see cref="ExperimentStatistics{TTeamId, TExperimentId}"/>) and the run history,
    /// with the same tables, columns and indexes as <see cref="UseStatisticsCache(ModelBuilder, string?)"/>. The cache takes its key
    /// types from these entities when <see cref="StatsCache.StatisticsCacheOptions.Keys"/> does not declare them.
    /// </summary>
    /// <typeparam name="TTeamId">The type of the host's team ids.</typeparam>
    /// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
    /// <typeparam name="TSessionId">The type of the host's session ids.</typeparam>
    /// <typeparam name="TParticipantId">The type of the host's participant ids.</typeparam>
    /// <param name="modelBuilder">The host's model builder.</param>
    /// <param name="schema">Schema for the tables; null uses the model's default schema.</param>
    /// <returns>The same model builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="schema"/> is not a plain identifier, or a type argument is not <c>long</c>, <c>int</c> or <c>Guid</c>.</exception>
    public static ModelBuilder UseStatisticsCache<TTeamId, TExperimentId, TSessionId, TParticipantId>(this ModelBuilder modelBuilder, string? schema = null)
        where TTeamId : struct
        where TExperimentId : struct
        where TSessionId : struct
        where TParticipantId : struct
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        RequirePlainSchema(schema);
        RequireKeyType<TTeamId>(nameof(TTeamId));
        RequireKeyType<TExperimentId>(nameof(TExperimentId));
        RequireKeyType<TSessionId>(nameof(TSessionId));
        RequireKeyType<TParticipantId>(nameof(TParticipantId));
        modelBuilder.ApplyConfiguration(new ExperimentBucketConfiguration<ExperimentBucket<TTeamId, TExperimentId>, TTeamId, TExperimentId>(schema));
        modelBuilder.ApplyConfiguration(new SessionStatisticsConfiguration<SessionStatistics<TTeamId, TExperimentId, TSessionId>, TTeamId, TExperimentId, TSessionId>(schema));
        modelBuilder.ApplyConfiguration(new ParticipantFirstSeenConfiguration<ParticipantFirstSeen<TTeamId, TExperimentId, TParticipantId>, TTeamId, TExperimentId, TParticipantId>(schema));
        modelBuilder.ApplyConfiguration(new CacheStateConfiguration<CacheState<TExperimentId>, TExperimentId>(schema));
        modelBuilder.ApplyConfiguration(new MaintenanceRunConfiguration(schema));
        modelBuilder.ApplyConfiguration(new SourceChangeConfiguration<SourceChange<TTeamId, TExperimentId, TSessionId>, TTeamId, TExperimentId, TSessionId>(schema));
        modelBuilder.ApplyConfiguration(new ExperimentStatisticsConfiguration<ExperimentStatistics<TTeamId, TExperimentId>, TTeamId, TExperimentId>(schema));
        modelBuilder.ApplyConfiguration(new ExperimentMeasureBucketConfiguration<ExperimentMeasureBucket<TTeamId, TExperimentId>, TTeamId, TExperimentId>(schema));
        modelBuilder.ApplyConfiguration(new ExperimentMeasureConfiguration<ExperimentMeasure<TTeamId, TExperimentId>, TTeamId, TExperimentId>(schema));
        modelBuilder.ApplyConfiguration(new SessionMeasureConfiguration<SessionMeasure<TTeamId, TExperimentId, TSessionId>, TTeamId, TExperimentId, TSessionId>(schema));
        modelBuilder.ApplyConfiguration(new MeasureRegistrationConfiguration(schema));
        return modelBuilder;
    }

    private static void RequirePlainSchema(string? schema)
    {
        if (schema is not null && SqlIdentifier.Problem(schema) is { } problem)
        {
            throw new ArgumentException(
                $"UseStatisticsCache: schema {(schema.Length == 0 ? "" : "name ")}{problem}. StatsCache accepts plain identifiers only, so that it can quote them safely; use e.g. \"{Suggest(schema)}\".",
                nameof(schema));
        }
    }

    private static void RequireKeyType<T>(string parameter)
    {
        if (StatsCache.Policy.CacheKeys.Of(typeof(T)) is null)
        {
            throw new ArgumentException($"UseStatisticsCache<…>: {parameter} is {typeof(T).Name}; StatsCache stores ids of type long, int or Guid (bigint, integer or uuid).", parameter);
        }
    }

    /// <summary>
    /// Maps the entity to our default table name in <paramref name="schema"/>, unless the host already gave
    /// it a table explicitly (<c>ToTable</c> before <c>UseStatisticsCache()</c>): that name is kept.
    /// </summary>
    internal static void ToDefaultTable<T>(this Metadata.Builders.EntityTypeBuilder<T> builder, string name, string? schema)
        where T : class
    {
        if (((Metadata.IConventionEntityType)builder.Metadata).GetTableNameConfigurationSource() != Metadata.ConfigurationSource.Explicit)
        {
            builder.ToTable(name, schema);
        }
    }

    private static string Suggest(string schema)
    {
        var plain = new string(schema.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? char.ToLowerInvariant(c) : '_').ToArray()).Trim('_');
        return plain.Length == 0 || char.IsAsciiDigit(plain[0]) ? "stats" : plain;
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StatsCache.SampleHost.Data;

namespace StatsCache.SampleHost;

/// <summary>What the web app and the management commands share: connection, services, schema and data.</summary>
public static class SampleApp
{
    /// <summary>The collation that orders names with their numbers by value.</summary>
    public const string NaturalCollation = "sample_natural";

    /// <summary>
    /// The configured connection string (<c>ConnectionStrings:Default</c>, e.g. from the environment
    /// variable <c>ConnectionStrings__Default</c> or a command's <c>--connection</c>), or, when none is
    /// configured, the sample's own cluster in <c>Sample:DataDirectory</c> (default
    /// <see cref="EmbeddedPostgres.DefaultDirectory"/>): attached to if it runs, else started (returned,
    /// so the caller stops it if it started it).
    /// </summary>
    public static async Task<(string ConnectionString, EmbeddedPostgres? Embedded)> ConnectAsync(IConfiguration configuration, Action<string>? log, CancellationToken cancellationToken = default)
    {
        var configured = configuration.GetConnectionString("Default");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return (configured, null);
        }

        var directory = configuration["Sample:DataDirectory"] is { Length: > 0 } d ? d : EmbeddedPostgres.DefaultDirectory;
        var embedded = await EmbeddedPostgres.StartOrAttachAsync(directory, log, cancellationToken);
        // Belt and braces: also stop it if the process ends without unwinding (SIGTERM, Environment.Exit).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => embedded.Stop();
        return (embedded.ConnectionString, embedded);
    }

    /// <summary>The host's own services plus the statistics cache, wired against the host's EF model; returns the cache's builder.</summary>
    public static StatisticsCacheBuilder AddSampleServices(this IServiceCollection services, string connectionString, IConfiguration configuration)
    {
        services.AddDbContext<SampleDbContext>(o => o.UseNpgsql(connectionString));
        services.AddScoped<DataGenerator>();
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<TrafficSimulatorOptions>(configuration.GetSection("Sample:Simulator"));
        services.AddSingleton<TrafficSimulator>();
        services.AddSingleton<StatusHistory>();

        return services.AddStatisticsCache(o =>
            {
                // Only human messages count: a SELECT with the canonical column names filters the bot's out.
                o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human";
            })
            .UseDbContext<SampleDbContext>()
            // Table and column names are read from the EF model.
            .MapSessions<ExperimentSession>(s => new { TeamId = s.TeamId, ExperimentId = s.ExperimentId, SessionId = s.Id, ParticipantId = s.ParticipantId, CreatedAt = s.CreatedAt })
            .MapVersions<MessageVersion>(v => new { SessionId = v.SessionId, Version = v.Version, CreatedAt = v.CreatedAt });
    }

    /// <summary>Creates the schema if needed and generates the sample data if the database is empty.</summary>
    public static async Task PrepareDatabaseAsync(IServiceProvider services, IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();

        // A real host would not do this: it adds a migration (dotnet ef migrations add AddStatisticsCache)
        // that creates the cache's tables next to its own, and applies it with its usual deployment.
        // The sample creates its whole schema, cache tables included, straight from the model.
        await db.Database.EnsureCreatedAsync(cancellationToken);

        // The chatbots page sorts names in natural order ("Coach #16" before "Coach #106"): an ICU
        // collation with numeric ordering, used only in that ORDER BY (EF.Functions.Collate).
        await db.Database.ExecuteSqlRawAsync(
            $"CREATE COLLATION IF NOT EXISTS {NaturalCollation} (provider = icu, locale = 'und-u-kn-true')", cancellationToken);

        var scale = configuration.GetValue("Sample:Scale", 1.0);
        await scope.ServiceProvider.GetRequiredService<DataGenerator>().GenerateIfEmptyAsync(scale, cancellationToken);
    }
}

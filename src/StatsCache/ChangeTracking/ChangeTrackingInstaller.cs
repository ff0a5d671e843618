using StatsCache.Internal;
using StatsCache.Policy;

namespace StatsCache.ChangeTracking;

/// <summary>Installs and removes the change-tracking triggers on the host's source tables.</summary>
internal sealed class ChangeTrackingInstaller(CacheEnvironment env)
{
    /// <summary>The idempotent DDL for all tracked tables, e.g. for a migration's <c>migrationBuilder.Sql(...)</c>.</summary>
    public string Script()
    {
        var options = env.Options;
        if (!options.ChangeTracking)
        {
            throw new InvalidOperationException("StatsCache: set StatisticsCacheOptions.ChangeTracking = true first, so that refreshes apply what the triggers record.");
        }

        var tables = env.TrackedTables;
        if (tables.Count == 0)
        {
            throw new InvalidOperationException(
                "StatsCache: no source names a table to track. Sources given as a SELECT need ChangeTrackingTable (the table the SELECT reads).");
        }

        return string.Join("\n", tables.Select(t => ChangeTrackingSql.Install(env.Sql, t, options.CacheName, options.LookBack, options.Deletions == SourceDeletions.Mirror)));
    }

    public async Task InstallAsync(CancellationToken cancellationToken)
    {
        await using var command = env.DataSource.CreateCommand(Script());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UninstallAsync(CancellationToken cancellationToken)
    {
        var script = string.Join("\n", env.TrackedTables.Select(t => ChangeTrackingSql.Uninstall(t, env.Options.CacheName)));
        if (script.Length == 0)
        {
            return;
        }

        await using var command = env.DataSource.CreateCommand(script);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

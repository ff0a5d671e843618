using System.Data;
using Microsoft.Extensions.Logging;
using StatsCache.Internal;

namespace StatsCache.ChangeTracking;

/// <summary>Installs and removes the change-tracking triggers on the host's source tables.</summary>
internal sealed class ChangeTrackingInstaller(CacheEnvironment env, ILogger<ChangeTrackingInstaller> logger)
{
    /// <summary>The host tables the triggers go on, from the sources resolved at start-up.</summary>
    private readonly IReadOnlyList<TrackedTable> _tracked = TrackedTable.In(env.Sources);

    /// <summary>
    /// The idempotent DDL for all tracked tables, e.g. for a migration's <c>migrationBuilder.Sql(...)</c>:
    /// removes whatever this cache had installed (also on tables the options no longer name), then
    /// installs the triggers the options in force need. Run it after our tables exist.
    /// </summary>
    public string Script()
    {
        var options = env.Options;
        if (!options.ChangeTracking)
        {
            throw new InvalidOperationException("StatsCache: set StatisticsCacheOptions.ChangeTracking = true first, so that refreshes apply what the triggers record.");
        }

        var tables = _tracked;
        if (tables.Count == 0)
        {
            throw new InvalidOperationException(
                "StatsCache: no source names a table to track. Sources given as a SELECT need ChangeTrackingTable (the table the SELECT reads).");
        }

        // The Citus guard first: on a distributed table the script refuses before it touches anything.
        var mirror = options.Deletions == SourceDeletions.Mirror;
        return string.Join("\n", tables.Select(t => ChangeTrackingSql.Install(env.Sql, t, options.CacheName, mirror))
            .Prepend(ChangeTrackingSql.Uninstall(env.Sql, options.CacheName))
            .Prepend(DistributedTables.Guard(tables)));
    }

    /// <exception cref="InvalidOperationException">A tracked table is distributed by Citus (see <see cref="DistributedTables"/>).</exception>
    public async Task InstallAsync(CancellationToken cancellationToken)
    {
        var script = Script();
        await using (var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await DistributedTables.FindAsync(connection, _tracked, citusKnown: false, cancellationToken).ConfigureAwait(false) is { Count: > 0 } distributed)
            {
                DistributedTables.Refused(logger, env.Options.CacheName, string.Join(", ", distributed), DistributedTables.Advice);
                throw DistributedTables.InstallRefusal(env.Options.CacheName, distributed);
            }
        }

        await RunAsync(script, cancellationToken).ConfigureAwait(false);
        Log.ChangeTrackingInstalled(logger, env.Options.CacheName, string.Join(", ", _tracked.Select(t => t.QualifiedName)));
    }

    /// <summary>Removes every trigger and function of this cache, whatever the options say today.</summary>
    public async Task UninstallAsync(CancellationToken cancellationToken)
    {
        await RunAsync(ChangeTrackingSql.Uninstall(env.Sql, env.Options.CacheName), cancellationToken).ConfigureAwait(false);
        Log.ChangeTrackingRemoved(logger, env.Options.CacheName);
    }

    // One transaction: the host's tables never run with half of the triggers.
    private async Task RunAsync(string script, CancellationToken cancellationToken)
    {
        await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await using (var command = new Npgsql.NpgsqlCommand(script, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}

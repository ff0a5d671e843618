using Microsoft.Extensions.Logging;
using Npgsql;
using StatsCache.Internal;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>Creates one cache's tables without migrations: <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.GetCreateTablesScript"/> and <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.EnsureTablesCreatedAsync"/>.</summary>
internal sealed class CacheTables(CacheEnvironment env, ILogger<CacheTables> logger)
{
    /// <summary>Namespace of the two-key advisory lock that serialises the DDL: "stdd".</summary>
    private const int LockSpace = 0x73746464;

    /// <exception cref="InvalidOperationException">The bound model renames the cache's tables: the script (default names) would create other tables than the model reads.</exception>
    public string Script()
    {
        var schema = env.TablesSchema;
        if (env.Tables != CacheTableNames.Default(schema))
        {
            throw new InvalidOperationException(
                $"StatsCache: the bound DbContext's model renames the cache's tables (state table {env.Tables.State}); the tables script creates the default names only. " +
                "Create these tables through the host's migrations (modelBuilder.UseStatisticsCache() and dotnet ef migrations add).");
        }

        return CacheTablesScript.Generate(schema, env.Keys);
    }

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var script = Script();
        await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Two instances starting at once: CREATE … IF NOT EXISTS is not safe against a concurrent create of the same name.
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@space, hashtext(@state))", connection, transaction))
        {
            command.Parameters.AddWithValue("space", LockSpace);
            command.Parameters.AddWithValue("state", env.Tables.State);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand(script, connection, transaction) { CommandTimeout = (int)env.Options.CommandTimeout.TotalSeconds })
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.TablesEnsured(logger, env.Options.CacheName, env.TablesSchema ?? "(search path)");
    }
}

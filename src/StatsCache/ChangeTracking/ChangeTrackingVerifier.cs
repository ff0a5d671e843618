using Npgsql;
using StatsCache.Internal;

namespace StatsCache.ChangeTracking;

/// <summary>
/// Checks, before a refresh with change tracking on, that the triggers can still record what they
/// must. A broken trigger never fails the host's write (it records nothing instead), so this is where
/// the breakage becomes loud: missing tables, renamed or dropped columns, missing or disabled
/// triggers, a function of another version or other options (e.g. deletions not tracked although
/// <see cref="StatisticsCacheOptions.Deletions"/> is Mirror), and a trigger that failed at run time.
/// One catalog query and one index probe; nothing is read from the host's rows.
/// </summary>
internal static class ChangeTrackingVerifier
{
    /// <summary>What is wrong, empty when change tracking is sound.</summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(NpgsqlConnection connection, CacheEnvironment env, CancellationToken cancellationToken)
    {
        var options = env.Options;
        var tables = TrackedTable.In(env.Sources);
        if (tables.Count == 0)
        {
            return ["no source names a table to track (sources given as a SELECT need ChangeTrackingTable)"];
        }

        var problems = new List<string>();
        var mirror = options.Deletions == SourceDeletions.Mirror;
        await using (var command = new NpgsqlCommand(ChangeTrackingSql.Verify(env.Sql, tables, options.CacheName, mirror), connection))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                problems.Add(reader.GetString(0));
            }
        }

        // On Citus only (the verify query says whether its catalog exists): tables distributed since the install.
        if (problems.Remove(DistributedTables.CitusMarker)
            && await DistributedTables.FindAsync(connection, tables, citusKnown: true, cancellationToken).ConfigureAwait(false) is { Count: > 0 } distributed)
        {
            return [DistributedTables.Problem(distributed)];
        }

        if (problems.Count == 0)
        {
            await using var command = new NpgsqlCommand(ChangeTrackingSql.FirstFailure(env.Sql), connection);
            command.Parameters.AddWithValue("cache", options.CacheName);
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is DateTime failedAt)
            {
                problems.Add($"a trigger could not record a change in the hour from {failedAt:O} (the PostgreSQL log has the error, as a WARNING starting \"StatsCache: change tracking of cache\")");
            }
        }

        return problems;
    }

    /// <summary>The refusal a refresh throws: what is wrong and what to do about it.</summary>
    public static InvalidOperationException Refusal(string cacheName, IReadOnlyList<string> problems) => problems.Any(p => p.Contains("distributed by Citus", StringComparison.Ordinal))
        ? new($"StatsCache: change tracking of cache '{cacheName}' cannot run: {string.Join("; ", problems)}. {DistributedTables.Advice} Refreshes refuse until then.")
        : new(
        $"StatsCache: change tracking of cache '{cacheName}' is broken, so changes to old source rows may go unrecorded: {string.Join("; ", problems)}. " +
        "The host's writes still succeed. Repair it by re-running EnableChangeTrackingAsync (or the script of GetChangeTrackingScript in a migration) " +
        "with the options in force, then ReconcileAsync the ranges the writes since the breakage touched (or BackfillAsync) to count what was missed. " +
        "Refreshes refuse until then.");
}

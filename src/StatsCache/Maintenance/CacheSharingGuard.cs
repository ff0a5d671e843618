using Npgsql;
using StatsCache.Sql;

namespace StatsCache.Maintenance;

/// <summary>
/// One set of tables holds one cache. The bucket, session and first-seen tables are not keyed by cache
/// name, so two caches (another <see cref="StatisticsCacheOptions.CacheName"/>, other sources) over the same
/// tables overwrite each other's buckets and deadlock each other's upserts. A cache therefore claims its
/// tables with its state row, and a second name finding another cache's row is refused before it writes
/// anything. The claim is made under a transaction-scoped advisory lock on the state table, so two caches
/// starting at once cannot both claim empty tables.
/// </summary>
internal static class CacheSharingGuard
{
    /// <summary>Namespace of the two-key advisory lock (distinct from the one-key maintenance locks): "stsc".</summary>
    private const int LockSpace = 0x73747363;

    /// <exception cref="InvalidOperationException">The tables already hold the state of a cache of another name.</exception>
    public static async Task ClaimAsync(NpgsqlConnection connection, CacheSql sql, string cacheName, DateTime now, CancellationToken cancellationToken)
    {
        string? other;
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@space, hashtext(@state))") { Parameters = { new("space", LockSpace), new("state", sql.State) } },
                    new NpgsqlBatchCommand($"""
                        INSERT INTO {sql.State} (cache_name, time_zone, updated_at)
                        SELECT @cache, @zone, @now WHERE NOT EXISTS (SELECT 1 FROM {sql.State} WHERE cache_name <> @cache)
                        ON CONFLICT (cache_name) DO NOTHING
                        """)
                    {
                        Parameters = { new("cache", cacheName), new("zone", sql.TimeZone.Id), new("now", now) },
                    },
                    new NpgsqlBatchCommand($"SELECT min(cache_name) FROM {sql.State} WHERE cache_name <> @cache") { Parameters = { new("cache", cacheName) } },
                },
            };
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the lock; the INSERT returns no result set
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                other = reader.IsDBNull(0) ? null : reader.GetString(0);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (other is not null)
        {
            throw new InvalidOperationException(
                $"StatsCache: cache '{cacheName}' shares its tables with cache '{other}' ({sql.State} holds its state): the bucket, session and first-seen tables " +
                $"hold one cache only, and two caches in them would mix their buckets and deadlock each other. Nothing was done. " +
                $"Give each cache its own Schema (modelBuilder.UseStatisticsCache(\"{cacheName}_stats\") in a DbContext of its own, or StatisticsCacheOptions.Schema) " +
                $"and create its tables there. If cache '{other}' is no longer used (e.g. CacheName was renamed), delete its row from {sql.State}; this cache then takes over the tables and rebuilds.");
        }
    }
}

using Npgsql;
using StatsCache.Policy;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>Where every maintenance operation starts: its checks, then the state row (<see cref="StateStore"/>).</summary>
internal static class MaintenanceState
{
    /// <summary>
    /// The state row, created if missing. Every maintenance operation starts here, so this is where a
    /// cache built in another reporting time zone is refused, before anything is written.
    /// </summary>
    /// <exception cref="InvalidOperationException">The cache was built in another time zone than the configured one, or its tables hold another cache.</exception>
    public static async Task<StateRow> LoadAsync(NpgsqlConnection connection, CacheSql sql, string cacheName, DateTime now, int commandTimeout, CancellationToken cancellationToken)
    {
        await Sources.SourceColumnCheck.RequireAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        await CacheSharingGuard.ClaimAsync(connection, sql, cacheName, now, cancellationToken).ConfigureAwait(false);
        await StateStore.EnsureAsync(connection, sql, cacheName, now, commandTimeout, cancellationToken).ConfigureAwait(false);
        var state = await StateStore.ReadAsync(connection, sql, cacheName, cancellationToken, commandTimeout).ConfigureAwait(false)
            ?? throw new InvalidOperationException("StatsCache: the state row vanished right after it was created.");
        CacheTimeZoneGuard.Require(state.TimeZone, sql.TimeZone, cacheName);
        await TimeZoneAgreement.RequireAsync(connection, sql.TimeZone, now, cancellationToken).ConfigureAwait(false);
        return state;
    }
}

namespace StatsCache.Policy;

/// <summary>
/// Refuses to work on a cache built in another reporting time zone. Once hours are rolled up into
/// days, the local days of another zone cannot be recovered from them, so mixing zones would silently
/// produce buckets that overlap or leave gaps; a rebuild is the only way to change the zone.
/// </summary>
internal static class CacheTimeZoneGuard
{
    /// <exception cref="InvalidOperationException"><paramref name="stored"/> differs from <paramref name="configured"/>.</exception>
    public static void Require(string? stored, ReportingTimeZone configured, string cacheName)
    {
        // A zone stored under another spelling of UTC ('Etc/UTC') is the same UTC cache.
        if (stored is null || string.Equals(stored, configured.Id, StringComparison.Ordinal) || (configured.IsUtc && ReportingTimeZone.IsUtcAlias(stored)))
        {
            return;
        }

        throw new InvalidOperationException(
            $"StatsCache: cache '{cacheName}' was built with reporting time zone '{stored}', but StatisticsCacheOptions.TimeZone is '{configured.Id}'. " +
            $"Its days and months are already cut at '{stored}' midnights and cannot be re-cut, so the zone of a built cache cannot change and nothing was done. " +
            $"Either set TimeZone back to '{stored}', or rebuild the cache: delete its row from the state table and truncate the bucket, " +
            $"session-statistics and participant-first-seen tables (or point Schema at new, empty tables); the next refresh then backfills it in '{configured.Id}'.");
    }
}

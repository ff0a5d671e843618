using System.Collections.Concurrent;
using Npgsql;

namespace StatsCache.Maintenance;

/// <summary>
/// Checks, once per process and zone, that PostgreSQL and .NET start the reporting time zone's days
/// at the same instants, from <see cref="ReportingTimeZone.CheckedFrom"/> to a year ahead. Buckets are
/// cut by PostgreSQL and cut-offs by C#; if the two time zone databases differ (an application host and
/// a database server with different tzdata versions after a country changed its DST rules, or a .NET
/// reading of a rule that PostgreSQL reads otherwise), they would silently disagree. We refuse instead.
/// </summary>
internal static class TimeZoneAgreement
{
    private static readonly ConcurrentDictionary<string, DateTime> VerifiedUntil = new(StringComparer.Ordinal);

    /// <exception cref="InvalidOperationException">PostgreSQL and .NET disagree on a day start.</exception>
    public static async Task RequireAsync(NpgsqlConnection connection, ReportingTimeZone zone, DateTime now, CancellationToken cancellationToken)
    {
        if (zone.IsUtc || (VerifiedUntil.TryGetValue(zone.Id, out var verified) && verified >= now))
        {
            return;
        }

        var until = now.AddYears(1);
        // Local days are at least 23 hours long, so sampling every 6 hours meets every one of them.
        await using var command = new NpgsqlCommand("""
            SELECT array_agg(d ORDER BY d)
            FROM (SELECT DISTINCT date_trunc('day', h, @zone) AS d FROM generate_series(@from, @until, interval '6 hours') AS h) AS days
            """, connection);
        command.Parameters.AddWithValue("zone", zone.Id);
        command.Parameters.AddWithValue("from", ReportingTimeZone.CheckedFrom);
        command.Parameters.AddWithValue("until", until);
        var postgres = (DateTime[])(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

        var start = BucketCalendar.Floor(ReportingTimeZone.CheckedFrom, BucketSize.Day, zone);
        foreach (var day in postgres)
        {
            if (day != start)
            {
                throw new InvalidOperationException(
                    $"StatsCache: PostgreSQL and .NET disagree on where a day starts in reporting time zone '{zone.Id}': PostgreSQL starts one at {day:O}, .NET at {start:O}. " +
                    "Their time zone databases probably differ (update tzdata on the application host or the database server, or use TimeZone = \"UTC\"); " +
                    "buckets and cut-offs would not line up, so nothing was done.");
            }

            start = BucketCalendar.End(start, BucketSize.Day, zone);
        }

        VerifiedUntil[zone.Id] = until;
    }
}

namespace StatsCache.Policy;

/// <summary>
/// The instants a caller may pass to maintenance and series requests. Anything outside is a mistake
/// (<see cref="DateTime.MinValue"/>, a year typed wrong), and would otherwise cost a transaction per empty
/// month under the maintenance lock — 24,000 of them from year 1 — or a zero-filled series of millions of
/// points; it is refused with an <see cref="ArgumentOutOfRangeException"/> naming the argument.
/// </summary>
internal static class RequestBounds
{
    /// <summary>The earliest instant of a backfill, reconcile or series request: 1970-01-01 UTC.</summary>
    public static DateTime EarliestFrom { get; } = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>How far after now a reconcile's end may lie (its end is cut at the watermark anyway): one day.</summary>
    public static TimeSpan MaintenanceSlack { get; } = TimeSpan.FromDays(1);

    /// <summary>The latest end of a series request: 2100-01-01 UTC (the years the reporting time zone is checked for).</summary>
    public static DateTime LatestSeriesTo => ReportingTimeZone.CheckedUntil;

    /// <summary>Refuses <paramref name="value"/> before <see cref="EarliestFrom"/> or after <paramref name="latest"/>.</summary>
    internal static void Require(DateTime value, string parameterName, DateTime latest, string latestDescription)
    {
        if (value < EarliestFrom || value > latest)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                value,
                $"'{parameterName}' is {value:O}; allowed is {EarliestFrom:yyyy-MM-dd} to {latestDescription} ({latest:O}).");
        }
    }
}

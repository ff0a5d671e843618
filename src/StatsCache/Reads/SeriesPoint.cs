using StatsCache.Policy;

namespace StatsCache.Reads;

/// <summary>
/// One point of a trend series: the statistics of [<paramref name="Start"/>, <paramref name="End"/>).
/// <paramref name="Size"/> is the point's own span: larger than the requested granularity where the
/// cache keeps that range coarser (e.g. months for last year); its values are then those of the whole span.
/// </summary>
/// <param name="Start">Start of the span (UTC).</param>
/// <param name="End">Exclusive end of the span (UTC).</param>
/// <param name="Size">The span's bucket size.</param>
/// <param name="Sessions">Sessions started in the span.</param>
/// <param name="NewParticipants">Participants whose first session with the experiment started in the span.</param>
/// <param name="HumanMessages">Human messages in the span.</param>
/// <param name="LastActivity">Last human message in the span, if any.</param>
public sealed record SeriesPoint(DateTime Start, DateTime End, BucketSize Size, long Sessions, long NewParticipants, long HumanMessages, DateTime? LastActivity)
{
    /// <summary>An empty period (zero-filled).</summary>
    /// <param name="start">Start of the period (UTC).</param>
    /// <param name="size">The period's size.</param>
    /// <param name="zone">The reporting time zone of days and months; null is UTC.</param>
    public static SeriesPoint Empty(DateTime start, BucketSize size, ReportingTimeZone? zone = null) => new(start, BucketCalendar.End(start, size, zone), size, 0, 0, 0, null);
}

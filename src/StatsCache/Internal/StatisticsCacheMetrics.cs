using System.Diagnostics.Metrics;

namespace StatsCache.Internal;

/// <summary>
/// The cache's instruments, on one meter named <c>StatsCache</c>:
/// <c>statscache.maintenance.duration</c> (s, tagged by operation), <c>statscache.maintenance.rows</c>
/// (tagged by operation), <c>statscache.maintenance.skipped</c> and <c>statscache.watermark.lag</c> (s, at each refresh).
/// </summary>
internal sealed class StatisticsCacheMetrics : IDisposable
{
    public const string MeterName = "StatsCache";

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _skipped;
    private readonly Histogram<double> _lag;

    public StatisticsCacheMetrics(IMeterFactory? meterFactory = null)
    {
        // Hosts built with the generic host have a meter factory; plain service collections may not.
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _duration = _meter.CreateHistogram<double>("statscache.maintenance.duration", "s", "Duration of maintenance operations.");
        _rows = _meter.CreateCounter<long>("statscache.maintenance.rows", "{row}", "Rows written by maintenance operations.");
        _skipped = _meter.CreateCounter<long>("statscache.maintenance.skipped", "{run}", "Runs skipped because another instance held the lock.");
        _lag = _meter.CreateHistogram<double>("statscache.watermark.lag", "s", "Watermark lag before each refresh.");
    }

    public void Completed(string operation, TimeSpan duration, long rows)
    {
        var tag = new KeyValuePair<string, object?>("operation", operation);
        _duration.Record(duration.TotalSeconds, tag);
        _rows.Add(rows, tag);
    }

    public void Skipped(string operation) => _skipped.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void WatermarkLag(TimeSpan lag) => _lag.Record(lag.TotalSeconds);

    public void Dispose() => _meter.Dispose();
}

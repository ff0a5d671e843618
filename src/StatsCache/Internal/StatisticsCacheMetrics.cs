using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Names = StatsCache.StatisticsCacheDiagnostics;

namespace StatsCache.Internal;

/// <summary>
/// The cache's instruments, on one meter named <see cref="StatisticsCacheDiagnostics.MeterName"/> (the names and what they
/// measure: <see cref="StatisticsCacheDiagnostics.Instruments"/>). The watermark lag is an observable gauge computed from
/// the last watermark each cache reported here and the <see cref="TimeProvider"/>: observing it never touches the database.
/// </summary>
internal sealed class StatisticsCacheMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly TimeProvider _time;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _skipped;
    private readonly Histogram<double> _readDuration;
    private readonly Counter<long> _readEntities;

    /// <summary>The last watermark seen per cache name (several caches may share this instance).</summary>
    private readonly ConcurrentDictionary<string, DateTime> _watermarks = new(StringComparer.Ordinal);

    public StatisticsCacheMetrics(TimeProvider time, IMeterFactory? meterFactory = null)
    {
        _time = time;

        // Hosts built with the generic host have a meter factory; plain service collections may not.
        var options = new MeterOptions(Names.MeterName) { Version = StatisticsCacheActivities.Version };
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _duration = _meter.CreateHistogram<double>(Names.Instruments.MaintenanceDuration, "s", "Duration of maintenance operations.");
        _rows = _meter.CreateCounter<long>(Names.Instruments.MaintenanceRows, "{row}", "Rows written by maintenance operations.");
        _skipped = _meter.CreateCounter<long>(Names.Instruments.MaintenanceSkipped, "{run}", "Runs skipped because another instance held the lock.");
        _meter.CreateObservableGauge(Names.Instruments.WatermarkLag, ObserveLag, "s", "How far the last watermark this instance saw is behind now.");
        _readDuration = _meter.CreateHistogram<double>(Names.Instruments.ReadDuration, "ms", "Duration of reads.");
        _readEntities = _meter.CreateCounter<long>(Names.Instruments.ReadEntities, "{entity}", "Experiments or sessions served by reads.");
    }

    public void Completed(string operation, TimeSpan duration, long rows)
    {
        var tag = new KeyValuePair<string, object?>(Names.Tags.Operation, operation);
        _duration.Record(duration.TotalSeconds, tag);
        _rows.Add(rows, tag);
    }

    public void Skipped(string operation) => _skipped.Add(1, new KeyValuePair<string, object?>(Names.Tags.Operation, operation));

    /// <summary>A refresh or full backfill of <paramref name="cacheName"/> left the watermark at <paramref name="watermark"/>.</summary>
    public void WatermarkSeen(string cacheName, DateTime watermark) => _watermarks[cacheName] = watermark;

    /// <summary>
    /// This instance's refresh of <paramref name="cacheName"/> was skipped: another instance does the work and reports the lag,
    /// so this one stops reporting a watermark that only looks stale from here.
    /// </summary>
    public void WatermarkNotOurs(string cacheName) => _watermarks.TryRemove(cacheName, out _);

    /// <summary>One read: its duration, the entities it served (null: not an entity read, or it failed) and its error.</summary>
    public void Read(string cacheName, string operation, ReadMode? mode, TimeSpan duration, int? entities, Exception? error)
    {
        var tags = new TagList
        {
            { Names.Tags.CacheName, cacheName },
            { Names.Tags.Operation, operation },
        };
        if (mode is { } m)
        {
            tags.Add(Names.Tags.ReadMode, StatisticsCacheActivities.ModeName(m));
        }

        if (error is not null)
        {
            tags.Add(Names.Tags.ErrorType, error.GetType().FullName);
        }

        _readDuration.Record(duration.TotalMilliseconds, tags);
        if (entities is { } count)
        {
            _readEntities.Add(count, tags);
        }
    }

    private IEnumerable<Measurement<double>> ObserveLag()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        foreach (var (cacheName, watermark) in _watermarks)
        {
            // An instance whose clock lags the database's can see a watermark ahead of it: no lag, not a negative one.
            var lag = now > watermark ? (now - watermark).TotalSeconds : 0;
            yield return new Measurement<double>(lag, new KeyValuePair<string, object?>(Names.Tags.CacheName, cacheName));
        }
    }

    public void Dispose() => _meter.Dispose();
}

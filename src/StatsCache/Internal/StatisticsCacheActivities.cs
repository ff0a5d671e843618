using System.Diagnostics;
using System.Globalization;
using StatsCache.Policy;
using Names = StatsCache.StatisticsCacheDiagnostics;

namespace StatsCache.Internal;

/// <summary>
/// The cache's <see cref="ActivitySource"/> (<see cref="StatisticsCacheDiagnostics.ActivitySourceName"/>, versioned with the
/// assembly) and the few helpers that start and end its spans the same way everywhere. Every helper accepts a null
/// activity: without a listener nothing is created and nothing is tagged.
/// </summary>
internal static class StatisticsCacheActivities
{
    /// <summary>The assembly version: the version of the activity source and of the meter.</summary>
    public static readonly string Version = typeof(StatisticsCacheActivities).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

    public static readonly ActivitySource Source = new(Names.ActivitySourceName, Version);

    /// <summary>Starts the span of a maintenance call of <paramref name="cacheName"/>.</summary>
    public static Activity? StartMaintenance(string name, string cacheName)
    {
        var activity = Source.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag(Names.Tags.CacheName, cacheName);
        return activity;
    }

    /// <summary>Starts the span of a read of <paramref name="cacheName"/>, scoped to <paramref name="teamId"/> when it is.</summary>
    public static Activity? StartRead(string name, string cacheName, object? teamId, ReadMode? mode)
    {
        var activity = Source.StartActivity(name, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag(Names.Tags.CacheName, cacheName);
            if (teamId is { } team)
            {
                // Integers as they are; a Guid as its text (exporters take primitive tag values only).
                activity.SetTag(Names.Tags.TeamId, team is Guid guid ? guid.ToString() : team);
            }

            if (mode is { } m)
            {
                activity.SetTag(Names.Tags.ReadMode, ModeName(m));
            }
        }

        return activity;
    }

    /// <summary>
    /// Starts the span of one backfill chunk (<paramref name="index"/> is 1-based): a child of the backfill (or refresh)
    /// running it. Null without a listener.
    /// </summary>
    public static ChunkSpan? StartChunk(string cacheName, int index, int total, BackfillChunk chunk)
    {
        var activity = Source.StartActivity(Names.Spans.BackfillChunk, ActivityKind.Internal);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag(Names.Tags.CacheName, cacheName);
        activity.SetTag(Names.Tags.ChunkIndex, index);
        activity.SetTag(Names.Tags.Chunks, total);
        activity.SetTag(Names.Tags.BucketSize, SizeName(chunk.Size));
        activity.SetTag(Names.Tags.RangeFrom, Instant(chunk.From));
        activity.SetTag(Names.Tags.RangeTo, Instant(chunk.To));
        return new ChunkSpan(activity);
    }

    /// <summary>
    /// A chunk's span: <see cref="Committed"/> tags the rows it wrote; disposed without it (the chunk threw), it ends with
    /// error status, so the chunk that failed is visible in the trace (the exception itself is on the parent span).
    /// </summary>
    internal sealed class ChunkSpan(Activity activity) : IDisposable
    {
        private bool _committed;

        public void Committed(long rows)
        {
            activity.SetTag(Names.Tags.RowsWritten, rows);
            _committed = true;
        }

        public void Dispose()
        {
            if (!_committed)
            {
                activity.SetStatus(ActivityStatusCode.Error, "the chunk did not commit");
            }

            activity.Dispose();
        }
    }

    /// <summary>Ends <paramref name="activity"/> as failed: error status with the message, an exception event, <c>error.type</c>.</summary>
    public static void Failed(Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.SetTag(Names.Tags.ErrorType, error.GetType().FullName);
        activity.AddException(error);
    }

    public static string ModeName(ReadMode mode) => mode switch
    {
        ReadMode.Cached => "cached",
        ReadMode.RealTime => "realtime",
        ReadMode.Live => "live",
        _ => ((int)mode).ToString(CultureInfo.InvariantCulture),
    };

    public static string SizeName(BucketSize size) => size switch
    {
        BucketSize.Hour => "hour",
        BucketSize.Day => "day",
        BucketSize.Month => "month",
        _ => ((int)size).ToString(CultureInfo.InvariantCulture),
    };

    public static string Instant(DateTime value) => value.ToString("O", CultureInfo.InvariantCulture);
}

using System.Diagnostics;

namespace StatsCache.Benchmarks.Measurement;

/// <summary>
/// Counts the commands Npgsql sends (one tracing activity per command or batch, i.e. one round trip)
/// while it is alive, from any code in the process: how StatsCache's statement count is observed
/// without reaching into the library.
/// </summary>
internal sealed class RoundTripCounter : IDisposable
{
    private readonly ActivityListener _listener;
    private int _count;

    public RoundTripCounter()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                // Connection opens are traced too; only commands are round trips of work.
                if (activity.GetTagItem("db.statement") is not null || activity.GetTagItem("db.query.text") is not null)
                {
                    Interlocked.Increment(ref _count);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Count => Volatile.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}

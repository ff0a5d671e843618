namespace StatsCache.Benchmarks.Measurement;

/// <summary>
/// Samples this process's working set and managed heap every few milliseconds while an operation
/// runs, and counts what it allocated. If the cache pulled source rows into the process these would
/// grow with the data; set-based maintenance keeps them flat.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Thread _thread;
    private readonly long _allocatedBefore;
    private volatile bool _stop;

    private MemorySampler()
    {
        WorkingSetBefore = Environment.WorkingSet;
        HeapBefore = GC.GetTotalMemory(false);
        PeakWorkingSet = WorkingSetBefore;
        PeakHeap = HeapBefore;
        _allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        _thread = new Thread(Sample) { IsBackground = true, Name = "memory sampler" };
        _thread.Start();
    }

    public long WorkingSetBefore { get; }

    public long HeapBefore { get; }

    public long PeakWorkingSet { get; private set; }

    public long PeakHeap { get; private set; }

    public long Allocated { get; private set; }

    public static MemorySampler Start()
    {
        // Start from a collected heap so the peak is what the operation added.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return new MemorySampler();
    }

    public MemoryReading Stop(string operation)
    {
        _stop = true;
        _thread.Join();
        Allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedBefore;
        return new MemoryReading(operation, WorkingSetBefore, PeakWorkingSet, HeapBefore, PeakHeap, Allocated);
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    private void Sample()
    {
        while (!_stop)
        {
            PeakWorkingSet = Math.Max(PeakWorkingSet, Environment.WorkingSet);
            PeakHeap = Math.Max(PeakHeap, GC.GetTotalMemory(false));
            Thread.Sleep(5);
        }
    }
}

/// <summary>Memory of the benchmark process around one maintenance operation.</summary>
public sealed record MemoryReading(string Operation, long WorkingSetBefore, long PeakWorkingSet, long HeapBefore, long PeakHeap, long Allocated);

using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;

namespace PooledGen;

/// <summary>
/// The <c>PooledGen</c> meter (<c>dotnet-counters monitor --counters PooledGen</c>): observable instruments only, read
/// from each live heap's statistics when a listener collects, so that allocation and free pay nothing for them. The
/// allocation and free counters are sums of per-thread counters that the fast paths keep anyway; no instrument makes
/// the hot path write a shared cache line. Each measurement carries the heap's name in the tag <c>pooledgen.heap</c>.
/// </summary>
/// <remarks>
/// Named and typed the way OpenTelemetry's semantic conventions and .NET's own <c>System.Runtime</c> meter do it
/// (<c>dotnet.process.memory.working_set</c>, <c>dotnet.gc.heap.total_allocated</c>, <c>dotnet.assembly.count</c>):
/// a figure of the moment that adds up across heaps and size classes is an up-down counter named <c>*.count</c>
/// (entities) or <c>*_size</c> (bytes), never a gauge, which a backend would not sum; a figure that only grows is a
/// counter; units are UCUM (<c>By</c>) or an annotation (<c>{block}</c>, <c>{arena}</c>). docs/DEBUGGING.md lists them.
/// </remarks>
internal static class PooledGenMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "PooledGen";

    /// <summary>The tag that names the heap of a measurement: <c>shared</c> or <c>heap-</c> and its id.</summary>
    public const string HeapTag = "pooledgen.heap";

    /// <summary>The tag that gives the size class of a <c>pooledgen.block.count</c> measurement.</summary>
    public const string SizeClassTag = "pooledgen.size_class";

    /// <summary>The tag that gives the block size of a <c>pooledgen.block.count</c> measurement.</summary>
    public const string BlockSizeTag = "pooledgen.block_size";

    private static readonly Meter s_meter = Create();

    /// <summary>Creates the meter (once) when the first heap is made.</summary>
    public static void EnsureCreated() => GC.KeepAlive(s_meter);

    private static Meter Create()
    {
        var meter = new Meter(MeterName, typeof(PooledGenMetrics).Assembly.GetName().Version?.ToString());

        // Figures of the moment, which add up across heaps (and size classes): up-down counters.
        meter.CreateObservableUpDownCounter("pooledgen.arena.count", () => Observe(s => s.ArenasCurrent), "{arena}",
            "Arenas held from the operating system.");
        meter.CreateObservableUpDownCounter("pooledgen.memory.reserved_size", () => Observe(s => s.BytesReserved), "By",
            "Bytes held from the operating system: arenas and large blocks.");
        meter.CreateObservableUpDownCounter("pooledgen.memory.in_use_size", () => Observe(s => s.BytesInUse), "By",
            "Bytes in blocks handed out and not freed (whole blocks) and in live large blocks.");
        meter.CreateObservableUpDownCounter("pooledgen.block.count", ObserveSizeClasses, "{block}",
            "Blocks handed out and not freed, per size class in use.");
        meter.CreateObservableUpDownCounter("pooledgen.large_object.count", () => Observe(s => s.LargeObjectCount), "{block}",
            "Live blocks of the large-object path.");
        meter.CreateObservableUpDownCounter("pooledgen.memory.committed_size", () => Observe(s => s.BytesCommitted), "By",
            "Bytes the heap keeps resident: pools touched and not decommitted since, and large blocks.");
        meter.CreateObservableUpDownCounter("pooledgen.memory.purge_waiting_size", () => Observe(s => s.BytesWaitingForPurge), "By",
            "Bytes of free pools that still hold their pages, waiting for the purge delay to pass.");

        // Figures since the heap was created, which only grow: counters.
        meter.CreateObservableCounter("pooledgen.allocations", () => Observe(s => s.Allocations), "{block}",
            "Blocks allocated (small and large), summed from per-thread counters.");
        meter.CreateObservableCounter("pooledgen.frees", () => Observe(s => s.Frees), "{block}",
            "Blocks freed (small and large): the allocations less the blocks in use, which the pools count.");
        meter.CreateObservableCounter("pooledgen.memory.total_allocated", () => Observe(s => s.BytesAllocated), "By",
            "Bytes allocated: blocks allocated per size class times the block size, plus the bytes of large blocks.");
        meter.CreateObservableCounter("pooledgen.purge.count", () => Observe(s => s.Purges), "{purge}",
            "Purges run: by the purge timer once the delay passed, or by Trim().");
        meter.CreateObservableCounter("pooledgen.pool.decommitted", () => Observe(s => s.PoolsDecommitted), "{pool}",
            "Pools whose pages purges gave back to the operating system.");
        return meter;
    }

    private static IEnumerable<Measurement<long>> Observe(Func<PooledHeapStatistics, long> figure)
    {
        foreach ((ArenaHeap heap, PooledHeapStatistics stats) in Snapshots())
        {
            yield return new Measurement<long>(figure(stats), new KeyValuePair<string, object?>(HeapTag, heap.Name));
        }
    }

    private static IEnumerable<Measurement<long>> ObserveSizeClasses()
    {
        foreach ((ArenaHeap heap, PooledHeapStatistics stats) in Snapshots())
        {
            foreach (SizeClassStatistics c in stats.SizeClasses)
            {
                if (c.PoolsInUse != 0 || c.BlocksInUse != 0)
                {
                    yield return new Measurement<long>(
                        c.BlocksInUse,
                        new KeyValuePair<string, object?>(HeapTag, heap.Name),
                        new KeyValuePair<string, object?>(SizeClassTag, c.SizeClass),
                        new KeyValuePair<string, object?>(BlockSizeTag, c.BlockSize));
                }
            }
        }
    }

    private static List<(ArenaHeap Heap, PooledHeapStatistics Stats)> Snapshots()
    {
        var snapshots = new List<(ArenaHeap, PooledHeapStatistics)>();
        foreach (ArenaHeap heap in HeapRegistry.Snapshot())
        {
            try
            {
                snapshots.Add((heap, heap.GetStatistics()));
            }
            catch (ObjectDisposedException)
            {
                // Disposed since the registry was read: it has nothing left to report.
            }
        }

        return snapshots;
    }
}

using System.Diagnostics.Metrics;

namespace PooledGen.Runtime.Tests;

public unsafe class MetricsTests
{
    [Fact]
    public void The_PooledGen_meter_publishes_up_down_counters_for_figures_that_add_up_and_counters_for_totals()
    {
        using var heap = new ArenaHeap();
        var published = new Dictionary<string, (string Kind, string? Unit)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == "PooledGen")
            {
                published[instrument.Name] = (instrument.GetType().Name, instrument.Unit);
            }
        };
        listener.Start();

        var expected = new Dictionary<string, (string Kind, string? Unit)>
        {
            ["pooledgen.arena.count"] = ("ObservableUpDownCounter`1", "{arena}"),
            ["pooledgen.memory.reserved_size"] = ("ObservableUpDownCounter`1", "By"),
            ["pooledgen.memory.in_use_size"] = ("ObservableUpDownCounter`1", "By"),
            ["pooledgen.block.count"] = ("ObservableUpDownCounter`1", "{block}"),
            ["pooledgen.large_object.count"] = ("ObservableUpDownCounter`1", "{block}"),
            ["pooledgen.allocations"] = ("ObservableCounter`1", "{block}"),
            ["pooledgen.frees"] = ("ObservableCounter`1", "{block}"),
            ["pooledgen.memory.total_allocated"] = ("ObservableCounter`1", "By"),
            ["pooledgen.memory.committed_size"] = ("ObservableUpDownCounter`1", "By"),
            ["pooledgen.memory.purge_waiting_size"] = ("ObservableUpDownCounter`1", "By"),
            ["pooledgen.purge.count"] = ("ObservableCounter`1", "{purge}"),
            ["pooledgen.pool.decommitted"] = ("ObservableCounter`1", "{pool}"),
        };
        Assert.Equal(expected.OrderBy(p => p.Key), published.OrderBy(p => p.Key));
    }

    [Fact]
    public void Every_PooledGen_instrument_reports_what_GetStatistics_says_for_its_heap()
    {
        using var heap = new ArenaHeap();
        var blocks = new List<nint>();
        for (int i = 0; i < 300; i++)
        {
            blocks.Add((nint)heap.Allocate(40));
        }

        for (int i = 0; i < 7; i++)
        {
            blocks.Add((nint)heap.Allocate(200));
        }

        blocks.Add((nint)heap.Allocate(5000));
        Pooled<Point3> typed = heap.Alloc<Point3>();
        heap.Free(typed);
        for (int i = 0; i < 50; i++)
        {
            heap.Free((void*)blocks[i]);
        }

        string heapName = heap.Name;
        var values = new Dictionary<string, long>();
        var perClass = new Dictionary<int, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "PooledGen")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? heapTag = null;
            int? sizeClass = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "pooledgen.heap")
                {
                    heapTag = (string?)tag.Value;
                }
                else if (tag.Key == "pooledgen.size_class")
                {
                    sizeClass = (int?)tag.Value;
                }
            }

            if (heapTag != heapName)
            {
                return;
            }

            if (sizeClass is int c)
            {
                perClass[c] = value;
            }
            else
            {
                values[instrument.Name] = value;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(stats.ArenasCurrent, values["pooledgen.arena.count"]);
        Assert.Equal(stats.BytesReserved, values["pooledgen.memory.reserved_size"]);
        Assert.Equal(stats.BytesInUse, values["pooledgen.memory.in_use_size"]);
        Assert.Equal(stats.LargeObjectCount, values["pooledgen.large_object.count"]);
        Assert.Equal(stats.Allocations, values["pooledgen.allocations"]);
        Assert.Equal(stats.Frees, values["pooledgen.frees"]);
        Assert.Equal(stats.BytesAllocated, values["pooledgen.memory.total_allocated"]);
        Assert.Equal(stats.BytesCommitted, values["pooledgen.memory.committed_size"]);
        Assert.Equal(stats.BytesWaitingForPurge, values["pooledgen.memory.purge_waiting_size"]);
        Assert.Equal(stats.Purges, values["pooledgen.purge.count"]);
        Assert.Equal(stats.PoolsDecommitted, values["pooledgen.pool.decommitted"]);
        Assert.Equal(309, stats.Allocations);
        Assert.Equal(51, stats.Frees);

        // Bytes allocated: 300 blocks of 48 bytes (40 asked), 7 of 208 (200 asked), one of 32 (Point3, 24 bytes),
        // and the large block's 5,000 bytes; frees do not take any back.
        Assert.Equal(300 * 48 + 7 * 208 + 32 + 5000, values["pooledgen.memory.total_allocated"]);
        Assert.Equal(5000, stats.LargeObjectBytesAllocated);
        Assert.Equal((300L, 50L), (stats.SizeClasses[2].Allocations, stats.SizeClasses[2].Frees));
        Assert.Equal((1L, 1L), (stats.SizeClasses[1].Allocations, stats.SizeClasses[1].Frees));
        Assert.Equal(
            stats.SizeClasses.Where(c => c.PoolsInUse > 0).ToDictionary(c => c.SizeClass, c => c.BlocksInUse),
            perClass);
        Assert.Equal(250, perClass[2]);
        Assert.Equal(7, perClass[12]);

        foreach (nint b in blocks.Skip(50))
        {
            heap.Free((void*)b);
        }
    }
}

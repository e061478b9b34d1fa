using System.Diagnostics.Metrics;

namespace PooledGen.Runtime.Tests;

public unsafe class MetricsTests
{
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
        Assert.Equal(stats.ArenasCurrent, values["pooledgen.arenas"]);
        Assert.Equal(stats.BytesReserved, values["pooledgen.bytes_reserved"]);
        Assert.Equal(stats.BytesInUse, values["pooledgen.bytes_in_use"]);
        Assert.Equal(stats.LargeObjectCount, values["pooledgen.large_objects"]);
        Assert.Equal(stats.Allocations, values["pooledgen.allocations"]);
        Assert.Equal(stats.Frees, values["pooledgen.frees"]);
        Assert.Equal(309, stats.Allocations);
        Assert.Equal(51, stats.Frees);
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

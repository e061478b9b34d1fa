using System.Text.RegularExpressions;

// Fields of test structs give them their layout; they are read and written through pointers, not by name.
#pragma warning disable CS0649

namespace PooledGen.Runtime.Tests;

public unsafe partial class StatisticsReportTests
{
    private struct ReportParticle
    {
        public double X, Y, Z, Vx, Vy;
    }

    [Fact]
    public void WriteStatistics_prints_the_classes_in_use_the_arenas_the_bytes_and_the_large_path_of_a_known_pattern()
    {
        using var heap = new ArenaHeap();
        var blocks = new List<nint>();
        for (int i = 0; i < 100; i++)
        {
            blocks.Add((nint)heap.Allocate(40)); // class 2, 48-byte blocks
        }

        blocks.Add((nint)heap.Allocate(1000)); // the large-object path
        string text = Report(heap);

        int free48 = HeapTests.BlocksInFirstPool(48) - 100;
        Assert.Contains("class   size   pools   blocks in use   free blocks", text);
        Assert.Contains($"    2     48       1             100   {free48,11:N0}", text);
        Assert.Single(Regex.Matches(text, @"^\s+\d+\s+\d+\s+\d+\s+[\d,]+\s+[\d,]+$", RegexOptions.Multiline)); // one class in use
        Assert.Equal(1, Figure(text, "# arenas allocated total"));
        Assert.Equal(0, Figure(text, "# arenas released"));
        Assert.Equal(1, Figure(text, "# arenas currently allocated"));
        Assert.Equal(1, Figure(text, "# arenas high-water mark"));
        Assert.Equal(HeapGeometry.PoolsPerArena - 1, Figure(text, "# free pools in arenas"));
        Assert.Equal(100 * 48, Figure(text, "# bytes in allocated blocks"));
        Assert.Equal(free48 * 48, Figure(text, "# bytes in free blocks"));
        Assert.Equal((HeapGeometry.PoolsPerArena - 1) * HeapGeometry.PoolSize, Figure(text, "# bytes in free pools"));
        Assert.Equal(HeapGeometry.PoolSize - (100 + free48) * 48, Figure(text, "# bytes lost to pool headers and tails"));
        Assert.Equal(1000, Figure(text, "# bytes in large blocks"));
        Assert.Equal(HeapGeometry.ArenaSize + 1000, Figure(text, "# bytes reserved"));
        Assert.Equal(1, Figure(text, "# large-object path: blocks"));
        Assert.Equal(101, Figure(text, "# allocations total"));
        Assert.Equal(0, Figure(text, "# frees total"));
        Assert.Contains("lost to partly used pools", text);
        Assert.Matches(@"# bytes lost to block padding\s+=\s+n/a", text);

        foreach (nint b in blocks)
        {
            heap.Free((void*)b);
        }

        text = Report(heap);
        Assert.Equal(101, Figure(text, "# frees total"));
        Assert.Equal(0, Figure(text, "# bytes in allocated blocks"));
    }

    [Fact]
    public void The_byte_figures_add_up_to_the_reserved_bytes()
    {
        using var heap = new ArenaHeap();
        var blocks = new List<nint>();
        for (int i = 0; i < 5000; i++)
        {
            blocks.Add((nint)heap.Allocate((nuint)(i % 700) + 1));
        }

        PooledHeapStatistics s = heap.GetStatistics();
        Assert.Equal(s.BytesReserved, s.BytesInUse + s.BytesInFreeBlocks + s.BytesInFreePools + s.BytesInPoolOverhead);
        Assert.Equal(5000, s.Allocations);
        foreach (nint b in blocks.Take(1000))
        {
            heap.Free((void*)b);
        }

        s = heap.GetStatistics();
        Assert.Equal(s.BytesReserved, s.BytesInUse + s.BytesInFreeBlocks + s.BytesInFreePools + s.BytesInPoolOverhead);
        Assert.Equal(1000, s.Frees);
        Assert.Equal(4000, s.SizeClasses.Sum(c => c.BlocksInUse) + s.LargeObjectCount);
        foreach (nint b in blocks.Skip(1000))
        {
            heap.Free((void*)b);
        }
    }

    [Fact]
    public void Registered_types_are_listed_with_their_sizes_and_in_debug_mode_their_live_counts()
    {
        PooledHeap.RegisterType<ReportParticle>("Tests.ReportParticle", sizeof(ReportParticle));
        using (var release = new ArenaHeap())
        {
            Pooled<ReportParticle> p = release.Alloc<ReportParticle>();
            string text = Report(release);
            Assert.Matches(@"Tests\.ReportParticle\s+40\s+8\s+48\s+8\s+n/a\s+n/a", text);
            Assert.Contains("debug mode only", text);
            release.Free(p);
        }

        using var debug = new ArenaHeap(0, debug: true);
        Pooled<ReportParticle> a = debug.Alloc<ReportParticle>();
        Pooled<ReportParticle> b = debug.Alloc<ReportParticle>();
        Pooled<Point3> unregistered = debug.Alloc<Point3>();
        string debugText = Report(debug);
        Assert.Contains("(debug mode)", debugText);
        Assert.Matches(@"Tests\.ReportParticle\s+40\s+8\s+48\s+8\s+2\s+80", debugText);
        Assert.Matches(@"Point3\s+24\s+-\s+32\s+8\s+1\s+24", debugText);
        Assert.Equal(2 * 8 + 8, Figure(debugText, "# bytes lost to block padding"));
        debug.Free(a);
        debug.Free(b);
        debug.Free(unregistered);
    }

    private static string Report(ArenaHeap heap)
    {
        var writer = new StringWriter();
        heap.WriteStatistics(writer);
        return writer.ToString();
    }

    /// <summary>The number after "label ... =" on its line.</summary>
    private static long Figure(string report, string label)
    {
        Match m = Regex.Match(report, "^" + Regex.Escape(label) + @"\s*=\s*([\d,]+)", RegexOptions.Multiline);
        Assert.True(m.Success, $"no line '{label}' in:\n{report}");
        return long.Parse(m.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Runtime.CompilerServices;

namespace PooledGen.Runtime.Tests;

/// <summary>
/// Process-wide debug mode (<c>POOLEDGEN_DEBUG=1</c>) is read once per process, so these tests run their scenario in
/// a child process (<see cref="ChildProcess"/>).
/// </summary>
public class ProcessWideDebugModeTests
{
    [Fact]
    public void With_POOLEDGEN_DEBUG_the_shared_heap_checks_guards_and_refuses_double_frees() =>
        DebugModeProcess.Run(nameof(DebugModeProcess.GuardsAndDoubleFree));

    [Fact]
    public void With_POOLEDGEN_DEBUG_Value_of_a_freed_handle_throws_ObjectDisposedException() =>
        DebugModeProcess.Run(nameof(DebugModeProcess.UseAfterFree));

    [Fact]
    public void With_POOLEDGEN_DEBUG_a_stale_handle_is_caught_after_its_block_is_reused_by_its_generation() =>
        DebugModeProcess.Run(nameof(DebugModeProcess.StaleHandleAfterReuse));

    [Fact]
    public void With_POOLEDGEN_DEBUG_the_leak_report_and_statistics_of_the_shared_heap_show_the_live_blocks() =>
        DebugModeProcess.Run(nameof(DebugModeProcess.LeakReportAndStatistics));
}

/// <summary>The scenarios the child process runs (see <see cref="ChildProcess"/>); each throws on failure.</summary>
public static unsafe class DebugModeProcess
{
    /// <summary>Runs <paramref name="scenario"/> in a child process started with POOLEDGEN_DEBUG=1; fails when it does.</summary>
    internal static void Run(string scenario) =>
        ChildProcess.Run(typeof(DebugModeProcess), scenario, new Dictionary<string, string> { ["POOLEDGEN_DEBUG"] = "1" });

    public static void GuardsAndDoubleFree()
    {
        Pooled<Bytes100> p = PooledHeap.Alloc<Bytes100>();
        ((byte*)p.Pointer)[100] = 0x41;
        var e = Assert.Throws<PoolCorruptionException>(() => PooledHeap.Free(p));
        Assert.Equal(("Bytes100", GuardPosition.After, 100L, (nuint)p.Pointer), (e.TypeName, e.Guard, e.ByteOffset, e.BlockAddress));
        ((byte*)p.Pointer)[100] = 0xFD;

        var raw = (byte*)PooledHeap.Allocate(30);
        raw[-1] = 0;
        Assert.Equal(GuardPosition.Before, Assert.Throws<PoolCorruptionException>(() => PooledHeap.Free(raw)).Guard);
        raw[-1] = 0xFD;

        PooledHeap.Free(p);
        PooledHeap.Free(raw);
        Assert.Contains("double free", Assert.Throws<ObjectDisposedException>(() => PooledHeap.Free(p)).Message);
        Assert.Throws<ObjectDisposedException>(() => PooledHeap.Free(raw));
        Assert.Throws<ObjectDisposedException>(() => p.Dispose());

        // Private heaps are debug heaps too in this process.
        using var heap = new ArenaHeap();
        Assert.True(heap.IsDebugEnabled);
    }

    public static void UseAfterFree()
    {
        Pooled<Bytes100> keep = PooledHeap.Alloc<Bytes100>();
        Pooled<Bytes100> p = PooledHeap.Alloc<Bytes100>();
        p.Value.First = 3;
        Assert.Equal(3, p.Value.First);
        PooledHeap.Free(p);
        var e = Assert.Throws<ObjectDisposedException>(() => p.Value.First);
        Assert.Contains("use after free", e.Message);
        Assert.Contains("Bytes100", e.Message);

        Pooled<Bytes513> large = PooledHeap.Alloc<Bytes513>();
        PooledHeap.Free(large);
        Assert.Throws<ObjectDisposedException>(() => large.Value.First);
        PooledHeap.Free(keep);
    }

    public static void LeakReportAndStatistics()
    {
        Pooled<Point3> leaked = AllocateAndForget();
        var report = new StringWriter();
        PooledHeap.WriteLeakReport(report);
        Assert.Contains("Point3: 1 block, 24 bytes", report.ToString());
        Assert.Contains("DebugModeProcess.AllocateAndForget", report.ToString());
        Assert.Contains("DebugModeProcess.AllocateAndForget", Assert.Single(PooledHeap.GetLiveAllocations()).AllocationSite);

        var statistics = new StringWriter();
        PooledHeap.WriteStatistics(statistics);
        Assert.Contains("heap shared (debug mode)", statistics.ToString());
        Assert.Equal(1, Assert.Single(PooledHeap.GetStatistics().LiveTypes).LiveCount);
        PooledHeap.Free(leaked);
        Assert.Empty(PooledHeap.GetLiveAllocations());
    }

    public static void StaleHandleAfterReuse()
    {
        // The handle carries its allocation's generation in its top bits; Pointer and Value see the address only.
        Pooled<Bytes100> stale = PooledHeap.Alloc<Bytes100>();
        nuint address = (nuint)stale.Pointer;
        Assert.Equal(0u, address >> 48);
        Assert.NotEqual(0, stale.Tag);
        Assert.Equal(8, sizeof(Pooled<Bytes100>));
        stale.Value.First = 1;
        PooledHeap.Free(stale);

        // Allocate and free until the block leaves the quarantine and is handed out again to someone else.
        Pooled<Bytes100> owner = default;
        for (int i = 0; i < 4 * DebugBlocks.QuarantineBlocks && owner.IsNull; i++)
        {
            Pooled<Bytes100> p = PooledHeap.Alloc<Bytes100>();
            if ((nuint)p.Pointer == address)
            {
                owner = p;
            }
            else
            {
                PooledHeap.Free(p);
            }
        }

        Assert.False(owner.IsNull, "the freed block was never handed out again");
        owner.Value.First = 42;

        var used = Assert.Throws<ObjectDisposedException>(() => stale.Value.First);
        Assert.Contains("allocated again", used.Message);
        var freed = Assert.Throws<ObjectDisposedException>(() => PooledHeap.Free(stale));
        Assert.Equal("Pooled<Bytes100>", freed.ObjectName);
        Assert.Contains("stale handle", freed.Message);
        Assert.Throws<ObjectDisposedException>(() => PooledHeap.Local.Free(stale));
        Assert.Throws<ObjectDisposedException>(() => stale.Dispose());

        Assert.Equal(42, owner.Value.First); // the new owner's block is untouched and still live
        PooledHeap.Free(owner);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Pooled<Point3> AllocateAndForget() => PooledHeap.Alloc<Point3>();
}

using System.Runtime.CompilerServices;

// Fields of test structs give them their layout; they are read and written through pointers, not by name.
#pragma warning disable CS0649

namespace PooledGen.Runtime.Tests;

/// <summary>
/// Debug mode, exercised on private heaps created with <c>debug: true</c> (the process-wide switch is off in this
/// test run, so the shared heap and every other heap stay in release mode).
/// </summary>
public unsafe class DebugModeTests
{
    // 100 bytes + 32 of header and front guard + 16 of back guard = 148: class 9, 160-byte blocks.
    private const int Bytes100DebugClass = 9;

    [Fact]
    public void The_process_runs_these_tests_in_release_mode()
    {
        Assert.False(PooledHeap.IsDebugEnabled);
        using var heap = new ArenaHeap(0, debug: true);
        Assert.True(heap.IsDebugEnabled);
        Assert.True(heap.GetStatistics().DebugEnabled);
    }

    [Fact]
    public void Overrun_past_the_end_raises_PoolCorruptionException_naming_type_class_address_and_guard()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> p = heap.Alloc<Bytes100>();
        var bytes = (byte*)p.Pointer;
        bytes[100] = 0x41;

        var e = Assert.Throws<PoolCorruptionException>(() => heap.Free(p));
        Assert.Equal("Bytes100", e.TypeName);
        Assert.Equal(Bytes100DebugClass, e.SizeClass);
        Assert.Equal((nuint)p.Pointer, e.BlockAddress);
        Assert.Equal(GuardPosition.After, e.Guard);
        Assert.Equal(100, e.ByteOffset);
        Assert.Equal(100, e.RequestedSize);
        Assert.Contains("Bytes100", e.Message);
        Assert.Contains($"0x{(nuint)p.Pointer:X}", e.Message);
        Assert.Contains($"size class {Bytes100DebugClass}", e.Message);
        Assert.Contains("guard after", e.Message);
        Assert.Contains("byte offset 100", e.Message);

        // Nothing was freed: the block is still live and, once the guard is mended, frees normally.
        Assert.Equal(1, heap.GetStatistics().Class(Bytes100DebugClass).BlocksInUse);
        bytes[100] = 0xFD;
        heap.Free(p);
        Assert.Equal(0, heap.GetStatistics().Class(Bytes100DebugClass).BlocksInUse);
    }

    [Fact]
    public void An_overrun_far_past_the_end_is_caught_at_the_first_broken_byte()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> p = heap.Alloc<Bytes100>();
        ((byte*)p.Pointer)[110] = 0;
        var e = Assert.Throws<PoolCorruptionException>(() => heap.Free(p));
        Assert.Equal(110, e.ByteOffset);
        ((byte*)p.Pointer)[110] = 0xFD;
        heap.Free(p);
    }

    [Fact]
    public void Underrun_before_the_start_raises_PoolCorruptionException_for_the_guard_before()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes17> typed = heap.Alloc<Bytes17>();
        ((byte*)typed.Pointer)[-1] = 0;
        var e = Assert.Throws<PoolCorruptionException>(() => heap.Free(typed));
        Assert.Equal(GuardPosition.Before, e.Guard);
        Assert.Equal(-1, e.ByteOffset);
        Assert.Equal("Bytes17", e.TypeName);
        Assert.Contains("guard before", e.Message);
        Assert.Contains("before the start", e.Message);

        var untyped = (byte*)heap.Allocate(24);
        untyped[-3] = 7;
        e = Assert.Throws<PoolCorruptionException>(() => heap.Free(untyped));
        Assert.Equal(GuardPosition.Before, e.Guard);
        Assert.Equal(-3, e.ByteOffset);
        Assert.Equal("untyped", e.TypeName);

        ((byte*)typed.Pointer)[-1] = 0xFD;
        untyped[-3] = 0xFD;
        heap.Free(typed);
        heap.Free(untyped);
        Assert.Empty(heap.GetLiveAllocations());
    }

    [Fact]
    public void Guards_are_checked_on_the_large_object_path_too()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes513> p = heap.Alloc<Bytes513>();
        ((byte*)p.Pointer)[513] = 1;
        var e = Assert.Throws<PoolCorruptionException>(() => heap.Free(p));
        Assert.Equal(-1, e.SizeClass);
        Assert.Equal(513, e.ByteOffset);
        Assert.Contains("large-object path", e.Message);
        ((byte*)p.Pointer)[513] = 0xFD;
        heap.Free(p);
        Assert.Equal(0, heap.GetStatistics().LargeObjectCount);
    }

    [Fact]
    public void Debug_blocks_keep_the_struct_alignment_and_come_zeroed()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<WithVector256> v256 = heap.Alloc<WithVector256>();
        Pooled<WithVector512> v512 = heap.Alloc<WithVector512>();
        Pooled<Vector256x20> large = heap.Alloc<Vector256x20>();
        var raw = (byte*)heap.Allocate(40);
        Assert.Equal(0u, (nuint)v256.Pointer % 32);
        Assert.Equal(0u, (nuint)v512.Pointer % 64);
        Assert.Equal(0u, (nuint)large.Pointer % 32);
        Assert.Equal(0u, (nuint)raw % 16);
        Assert.True(new ReadOnlySpan<byte>(raw, 40).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(new ReadOnlySpan<byte>(v512.Pointer, sizeof(WithVector512)).IndexOfAnyExcept((byte)0) < 0);
        heap.Free(v256);
        heap.Free(v512);
        heap.Free(large);
        heap.Free(raw);
    }

    [Fact]
    public void Freed_blocks_are_filled_with_the_dead_byte()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> keep = heap.Alloc<Bytes100>(); // keeps the pool, and so the freed block's memory, in place
        Pooled<Bytes100> p = heap.Alloc<Bytes100>(new Bytes100 { First = 42 });
        var bytes = (byte*)p.Pointer;
        heap.Free(p);
        Assert.True(new ReadOnlySpan<byte>(bytes, 100).IndexOfAnyExcept((byte)0xDD) < 0);
        heap.Free(keep);
    }

    [Fact]
    public void Double_free_through_a_handle_throws_ObjectDisposedException_and_the_heap_stays_intact()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> keep = heap.Alloc<Bytes100>();
        Pooled<Bytes100> p = heap.Alloc<Bytes100>();
        heap.Free(p);
        PooledHeapStatistics before = heap.GetStatistics();

        var e = Assert.Throws<ObjectDisposedException>(() => heap.Free(p));
        Assert.Contains("double free", e.Message);
        Assert.Contains("Bytes100", e.Message);
        Assert.Contains($"0x{(nuint)p.Pointer:X}", e.Message);
        Assert.Throws<ObjectDisposedException>(() => PooledHeap.Free(p)); // through another heap's entry point too

        PooledHeapStatistics after = heap.GetStatistics();
        Assert.Equal(before.SizeClasses, after.SizeClasses);
        Assert.Single(heap.GetLiveAllocations());

        // The freed block is handed out once, not twice: the free list was not touched by the second free.
        Pooled<Bytes100> a = heap.Alloc<Bytes100>();
        Pooled<Bytes100> b = heap.Alloc<Bytes100>();
        Assert.NotEqual((nuint)a.Pointer, (nuint)b.Pointer);
        heap.Free(a);
        heap.Free(b);
        heap.Free(keep);
    }

    [Fact]
    public void A_stale_handle_freed_again_on_a_private_debug_heap_is_refused_on_every_route_naming_Pooled_T()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> old = heap.Alloc<Bytes100>();
        heap.Free(old);

        // The freed block waits in the heap's quarantine: the next allocation is another block, so the stale handle
        // points at a block nobody owns and every route refuses it as a double free.
        Pooled<Bytes100> reused = heap.Alloc<Bytes100>();
        Assert.NotEqual((nuint)old.Pointer, (nuint)reused.Pointer);
        reused.Value.First = 7;

        foreach (Action route in new Action[]
        {
            () => heap.Free(old),
            () => PooledHeap.Free(old),
            () => old.Dispose(),
            () => PooledHeap.Local.Free(old),
            () => heap.Local.Free(old),
        })
        {
            var e = Assert.Throws<ObjectDisposedException>(route);
            Assert.Equal("Pooled<Bytes100>", e.ObjectName);
            Assert.Contains("double free", e.Message);
        }

        Assert.Equal(7, reused.Value.First); // the new allocation is untouched and live
        Assert.Single(heap.GetLiveAllocations());
        heap.Free(reused);
        Assert.Empty(heap.GetLiveAllocations());
    }

    [Fact]
    public void A_freed_block_leaves_the_quarantine_for_its_pool_after_a_bounded_number_of_frees()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> first = heap.Alloc<Bytes100>();
        nuint address = (nuint)first.Pointer;
        heap.Free(first);
        bool reused = false;
        for (int i = 0; i < 2 * DebugBlocks.QuarantineBlocks && !reused; i++)
        {
            Pooled<Bytes100> p = heap.Alloc<Bytes100>();
            reused = (nuint)p.Pointer == address;
            heap.Free(p);
        }

        Assert.True(reused, "a quarantined block never went back to its pool");
        heap.Trim();
        heap.Validate();
        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(c => c.BlocksInUse));
    }

    [Fact]
    public void Double_free_of_an_untyped_block_and_of_a_disposed_handle_is_refused()
    {
        using var heap = new ArenaHeap(0, debug: true);
        void* keep = heap.Allocate(64);
        void* block = heap.Allocate(64);
        heap.Free(block);
        var e = Assert.Throws<ObjectDisposedException>(() => heap.Free(block));
        Assert.Contains("double free", e.Message);

        Pooled<Bytes17> handle = heap.Alloc<Bytes17>();
        handle.Dispose();
        Assert.Throws<ObjectDisposedException>(() => handle.Dispose());

        void* large = heap.Allocate(2000);
        heap.Free(large);
        Assert.Throws<ArgumentException>(() => heap.Free(large));
        heap.Free(keep);
        Assert.Empty(heap.GetLiveAllocations());
    }

    // Value runs this check only when the process-wide switch is on (so that release Value pays nothing); here the
    // check itself is called. ProcessWideDebugModeTests runs Value in a POOLEDGEN_DEBUG=1 process, where handles also
    // carry their allocation's generation and a reallocated block is told apart.
    [Fact]
    public void The_handle_check_refuses_a_freed_handle_naming_the_type()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> keep = heap.Alloc<Bytes100>();
        Pooled<Bytes100> p = heap.Alloc<Bytes100>();
        Pooled<Bytes100> copy = p;
        Assert.Equal(0, p.Tag); // a private debug heap in a release process hands out plain addresses
        copy.CheckNotFreed();
        heap.Free(p);

        var e = Assert.Throws<ObjectDisposedException>(() => copy.CheckNotFreed());
        Assert.Contains("use after free", e.Message);
        Assert.Contains("Bytes100", e.Message);

        // Still refused after another allocation (the freed block is in the quarantine); the new handle passes.
        Pooled<Bytes100> next = heap.Alloc<Bytes100>();
        Assert.Throws<ObjectDisposedException>(() => copy.CheckNotFreed());
        next.CheckNotFreed();
        heap.Free(next);
        heap.Free(keep);
    }

    [Fact]
    public void The_stamp_check_refuses_a_freed_large_handle_whose_memory_is_gone()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes513> p = heap.Alloc<Bytes513>();
        p.CheckNotFreed();
        heap.Free(p);
        Assert.Throws<ObjectDisposedException>(() => p.CheckNotFreed());
    }

    [Fact]
    public void A_debug_heap_block_freed_through_a_release_entry_point_is_still_checked()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> typed = heap.Alloc<Bytes100>();
        var untyped = (byte*)heap.Allocate(30);
        ((byte*)typed.Pointer)[100] = 0;
        Assert.Throws<PoolCorruptionException>(() => PooledHeap.Free(typed));
        ((byte*)typed.Pointer)[100] = 0xFD;
        PooledHeap.Free(typed);
        PooledHeap.Free(untyped);
        Assert.Throws<ObjectDisposedException>(() => PooledHeap.Free(untyped));
        Assert.Empty(heap.GetLiveAllocations());
    }

    [Fact]
    public void A_release_heap_block_freed_through_a_debug_heap_is_freed_as_usual()
    {
        using var release = new ArenaHeap();
        using var debug = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> p = release.Alloc<Bytes100>();
        void* raw = release.Allocate(10);
        debug.Free(p);
        debug.Free(raw);
        Assert.Equal(0, release.GetStatistics().SizeClasses.Sum(c => c.BlocksInUse));
    }

    [Fact]
    public void Debug_blocks_move_between_threads_and_outlive_the_thread_that_allocated_them()
    {
        using var heap = new ArenaHeap(0, debug: true);
        var handles = new Pooled<Bytes100>[50];
        int workerId = 0;
        HeapTests.OnNewThread(() =>
        {
            workerId = Environment.CurrentManagedThreadId;
            for (int i = 0; i < handles.Length; i++)
            {
                handles[i] = heap.Alloc<Bytes100>();
            }

            heap.Free(handles[0]); // freed by its own thread
        });

        // The worker has exited (a debug heap's blocks belong to the heap itself, not to the thread): they stay checked.
        Assert.All(heap.GetLiveAllocations(), l => Assert.Equal(workerId, l.ManagedThreadId));
        Assert.Equal(handles.Length - 1, heap.GetLiveAllocations().Count);
        Assert.Throws<ObjectDisposedException>(() => heap.Free(handles[0]));
        ((byte*)handles[1].Pointer)[100] = 0;
        Assert.Throws<PoolCorruptionException>(() => heap.Free(handles[1]));
        ((byte*)handles[1].Pointer)[100] = 0xFD;
        for (int i = 1; i < handles.Length; i++)
        {
            heap.Free(handles[i]);
        }

        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(0, stats.AbandonedPools);
        Assert.Equal(0, stats.SizeClasses.Sum(c => c.BlocksInUse));
        Assert.Empty(heap.GetLiveAllocations());
    }

    [Fact]
    public void Many_threads_allocating_and_freeing_on_one_debug_heap_leave_it_empty()
    {
        using var heap = new ArenaHeap(0, debug: true);
        var shared = new System.Collections.Concurrent.ConcurrentQueue<nint>();
        Parallel.For(0, 4, worker =>
        {
            for (int i = 0; i < 2000; i++)
            {
                shared.Enqueue((nint)heap.Allocate((nuint)(i % 300) + 1));
                if (shared.TryDequeue(out nint other))
                {
                    heap.Free((void*)other); // often another thread's block
                }
            }
        });
        while (shared.TryDequeue(out nint rest))
        {
            heap.Free((void*)rest);
        }

        Assert.Empty(heap.GetLiveAllocations());
        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(8000, stats.Allocations);
        Assert.Equal(8000, stats.Frees);
    }

    [Fact]
    public void The_leak_report_lists_live_blocks_by_type_with_their_allocation_sites()
    {
        using var heap = new ArenaHeap(0, debug: true);
        (Pooled<Bytes100> a, Pooled<Bytes100> b) = AllocateTwoLeakyBlocks(heap);
        void* raw = AllocateOneUntypedBlock(heap);

        IReadOnlyList<LiveAllocation> live = heap.GetLiveAllocations();
        Assert.Equal(3, live.Count);
        LiveAllocation[] typed = live.Where(l => l.Type == typeof(Bytes100)).ToArray();
        Assert.Equal(2, typed.Length);
        Assert.All(typed, l =>
        {
            Assert.Equal("Bytes100", l.TypeName);
            Assert.Equal(100, l.Size);
            Assert.Equal(Bytes100DebugClass, l.SizeClass);
            Assert.Contains("DebugModeTests.AllocateTwoLeakyBlocks", l.AllocationSite);
            Assert.Equal(Environment.CurrentManagedThreadId, l.ManagedThreadId);
        });
        Assert.Equal(new[] { (nuint)a.Pointer, (nuint)b.Pointer }.Order(), typed.Select(l => l.Address).Order());
        LiveAllocation untyped = Assert.Single(live, l => l.Type is null);
        Assert.Equal("untyped", untyped.TypeName);
        Assert.Equal(24, untyped.Size);
        Assert.Contains("DebugModeTests.AllocateOneUntypedBlock", untyped.AllocationSite);
        Assert.Equal((nuint)raw, untyped.Address);

        var report = new StringWriter();
        heap.WriteLeakReport(report);
        string text = report.ToString();
        Assert.Contains("3 blocks live, 224 bytes requested", text);
        Assert.Contains("Bytes100: 2 blocks, 200 bytes", text);
        Assert.Contains("2 blocks allocated at PooledGen.Runtime.Tests.DebugModeTests.AllocateTwoLeakyBlocks", text);
        Assert.Contains("untyped: 1 block, 24 bytes", text);
        Assert.Contains("DebugModeTests.cs:line", text);

        heap.Free(a);
        heap.Free(b);
        heap.Free(raw);
        Assert.Empty(heap.GetLiveAllocations());
        report = new StringWriter();
        heap.WriteLeakReport(report);
        Assert.Contains("no live blocks", report.ToString());
    }

    [Fact]
    public void Debug_statistics_count_live_blocks_per_type_and_the_padding_they_lose()
    {
        using var heap = new ArenaHeap(0, debug: true);
        (Pooled<Bytes100> a, Pooled<Bytes100> b) = AllocateTwoLeakyBlocks(heap);
        Pooled<Point3> point = heap.Alloc<Point3>();

        PooledHeapStatistics stats = heap.GetStatistics();
        PooledTypeStatistics bytes100 = Assert.Single(stats.LiveTypes, t => t.Name == "Bytes100");
        Assert.Equal(new PooledTypeStatistics("Bytes100", 100, 112, 2, 200), bytes100);
        Assert.Equal(new PooledTypeStatistics("Point3", 24, 32, 1, 24), Assert.Single(stats.LiveTypes, t => t.Name == "Point3"));
        Assert.Equal(2 * (112 - 100) + (32 - 24), stats.BytesLostToPadding);
        Assert.Equal(2 * (160 - 112) + (80 - 32), stats.BytesInDebugGuards); // Point3: 32 + 24 + 16 = 72, class of 80 bytes
        heap.Free(a);
        heap.Free(b);
        heap.Free(point);
    }

    [Fact]
    public void In_release_mode_the_checks_are_absent_and_no_debug_structure_exists()
    {
        using var heap = new ArenaHeap();
        Assert.False(heap.IsDebugEnabled);
        Assert.False(heap.HasDebugRecords);

        Pooled<Bytes100> keep = heap.Alloc<Bytes100>();
        Pooled<Bytes100> p = heap.Alloc<Bytes100>();
        Assert.Equal(0, p.Tag);
        Assert.Equal(8, sizeof(Pooled<Bytes100>));

        // The block starts where its class's blocks start: no guard prefix.
        nuint offsetInPool = (nuint)p.Pointer - HeapTests.PoolOf(p.Pointer);
        Assert.Equal(0u, (offsetInPool - (nuint)Arena.FirstPoolBlockOffset) % 112);

        // An overrun into the block's padding goes unnoticed, and so does a read through a freed handle.
        ((byte*)p.Pointer)[100] = 0x41;
        heap.Free(p);
        _ = p.Value.First;

        Assert.Throws<InvalidOperationException>(() => heap.GetLiveAllocations());
        var report = new StringWriter();
        heap.WriteLeakReport(report);
        Assert.Contains("debug mode is off", report.ToString());
        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.False(stats.DebugEnabled);
        Assert.Empty(stats.LiveTypes);
        Assert.Null(stats.BytesLostToPadding);
        Assert.Null(stats.BytesInDebugGuards);
        heap.Free(keep);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Pooled<Bytes100>, Pooled<Bytes100>) AllocateTwoLeakyBlocks(ArenaHeap heap) =>
        (heap.Alloc<Bytes100>(), heap.Alloc<Bytes100>());

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void* AllocateOneUntypedBlock(ArenaHeap heap) => heap.Allocate(24);
}

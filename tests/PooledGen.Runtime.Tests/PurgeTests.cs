using System.Diagnostics;

namespace PooledGen.Runtime.Tests;

/// <summary>
/// Memory given back on a delay: a pool returned to its arena keeps its pages for the purge delay and is reused without
/// a fault within it; after it, the purge timer decommits it (it leaves RSS, reads zeros) and releases emptied arenas,
/// without the allocator being called; a decommitted pool is reused correctly; a disposed heap's timer stops.
/// </summary>
public unsafe class PurgeTests
{
    private const int BlockSize = 64;

    [Fact]
    public void A_pool_freed_and_taken_again_within_the_delay_keeps_its_pages()
    {
        using var heap = new ArenaHeap { CachedPoolLimit = 0, PurgeDelayMilliseconds = 60_000 };
        var (kept, freed) = FillTwoPoolsAndFreeTheSecond(heap);
        var pool = (byte*)HeapTests.PoolOf((void*)freed[0]);

        PooledHeapStatistics waiting = heap.GetStatistics();
        Assert.Equal(1, waiting.PoolsWaitingForPurge);
        Assert.Equal(HeapGeometry.PoolSize, waiting.BytesWaitingForPurge);
        Assert.True(ResidentPages(pool) > 0, "a waiting pool keeps its pages");
        heap.Validate();

        // The current pool's blocks, then the next pool: the waiting one again, nothing decommitted, nothing faulted in.
        var again = Enumerable.Range(0, HeapTests.BlocksPerPool(BlockSize) + 1).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
        Assert.Equal((nuint)pool, HeapTests.PoolOf((void*)again[^1]));
        PooledHeapStatistics reused = heap.GetStatistics();
        Assert.Equal(0, reused.PoolsWaitingForPurge);
        Assert.Equal(0, reused.PoolsDecommitted);
        heap.Validate();
        GC.KeepAlive(kept);
    }

    [Fact]
    public void After_the_delay_the_timer_decommits_waiting_pools_and_releases_emptied_arenas_without_an_allocator_call()
    {
        using var heap = new ArenaHeap { CachedPoolLimit = 0, PurgeDelayMilliseconds = 100 };
        int perArena = HeapTests.BlocksPerArena(BlockSize);
        var blocks = Enumerable.Range(0, 3 * perArena).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
        nuint firstArena = HeapTests.ArenaOf((void*)blocks[0]);
        nint kept = blocks[0];
        var pools = blocks.Skip(1).Select(b => HeapTests.PoolOf((void*)b)).Where(p => HeapTests.ArenaOf((void*)p) == firstArena && p != HeapTests.PoolOf((void*)kept)).Distinct().ToList();
        foreach (nint b in blocks.Skip(1))
        {
            heap.Free((void*)b);
        }

        PooledHeapStatistics before = heap.GetStatistics();
        Assert.Equal(3, before.ArenasCurrent);
        Assert.True(before.PoolsWaitingForPurge > 0);

        // Nothing calls the allocator from here: the timer alone purges.
        WaitUntil(() => heap.GetStatistics().PoolsWaitingForPurge == 0, TimeSpan.FromSeconds(10));
        PooledHeapStatistics after = heap.GetStatistics();
        Assert.True(after.PoolsDecommitted >= pools.Count, $"{after.PoolsDecommitted} pools decommitted, expected at least {pools.Count}");
        Assert.True(after.Purges >= 1);
        Assert.Equal(2, after.ArenasCurrent); // the emptied second arena went back; the first holds the kept block, the last the current pool
        Assert.True(after.BytesCommitted < before.BytesCommitted);
        foreach (nuint pool in pools)
        {
            Assert.Equal(0, ResidentPages((byte*)pool));
        }

        heap.Validate();
        heap.Free((void*)kept);
    }

    [Fact]
    public void A_pool_waits_its_own_delay_while_other_pools_keep_coming_back_to_its_arena()
    {
        // Steady churn: an arena that gets a pool back every 100 ms. Each pool waits its own 300 ms; before, every return
        // put the whole arena's purge off again, so a pool freed first stayed committed for as long as the churn lasted.
        using var heap = new ArenaHeap { CachedPoolLimit = 0, PurgeDelayMilliseconds = 300 };
        int perPool = HeapTests.BlocksPerPool(BlockSize);
        var blocks = Enumerable.Range(0, 24 * perPool).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
        nuint arena = HeapTests.ArenaOf((void*)blocks[0]);
        var pools = blocks.GroupBy(b => HeapTests.PoolOf((void*)b))
            .Where(g => HeapTests.ArenaOf((void*)g.Key) == arena && g.Count() == perPool)
            .Select(g => g.ToList()).ToList();
        Assert.True(pools.Count >= 20, $"{pools.Count} full pools in the first arena");

        var first = (byte*)HeapTests.PoolOf((void*)pools[0][0]);
        pools[0].ForEach(b => heap.Free((void*)b));
        Assert.True(ResidentPages(first) > 0, "a pool just returned keeps its pages");

        var clock = Stopwatch.StartNew();
        byte* lastReturned = null;
        long decommittedAt = -1;
        for (int i = 1; i < pools.Count && decommittedAt < 0; i++)
        {
            Thread.Sleep(100);
            pools[i].ForEach(b => heap.Free((void*)b));
            lastReturned = (byte*)HeapTests.PoolOf((void*)pools[i][0]);
            if (ResidentPages(first) == 0)
            {
                decommittedAt = clock.ElapsedMilliseconds;
                Assert.True(ResidentPages(lastReturned) > 0, "the pool returned just now still waits for its own delay");
            }
        }

        Assert.True(decommittedAt >= 0, $"the first pool was still committed after {clock.ElapsedMilliseconds} ms of returns every 100 ms (delay 300 ms)");
        heap.Validate();
        foreach (nint b in blocks.Where(b => !pools.Any(p => p.Contains(b))))
        {
            heap.Free((void*)b);
        }
    }

    [Fact]
    public void A_decommitted_pool_is_reused_as_zero_pages_and_carved_once()
    {
        using var heap = new ArenaHeap { CachedPoolLimit = 0, PurgeDelayMilliseconds = -1 };
        var (kept, freed) = FillTwoPoolsAndFreeTheSecond(heap);
        var pool = (byte*)HeapTests.PoolOf((void*)freed[0]);
        Assert.Equal(2L * HeapGeometry.PoolSize, heap.Trim()); // never purged by a timer: Trim decommits it (and the current pool) now
        Assert.Equal(0, ResidentPages(pool));

        // Every block of the pool comes back once, and an uninitialised block of a decommitted pool reads zeros.
        var again = new HashSet<nint>();
        for (int i = 0; i < freed.Count; i++)
        {
            var block = (byte*)heap.AllocateUninitialized(BlockSize);
            Assert.Equal((nuint)pool, HeapTests.PoolOf(block));
            Assert.True(new ReadOnlySpan<byte>(block, BlockSize).IndexOfAnyExcept((byte)0) < 0, "a decommitted pool's block is not zero");
            Assert.True(again.Add((nint)block), "a block was handed out twice");
            block[0] = 0xAB;
        }

        Assert.Equal(freed.ToHashSet(), again);
        heap.Validate();
        foreach (nint b in again)
        {
            heap.Free((void*)b);
        }

        GC.KeepAlive(kept);
    }

    [Fact]
    public void Trim_gives_back_at_once_what_waits_and_the_statistics_say_so()
    {
        using var heap = new ArenaHeap { CachedPoolLimit = 0, PurgeDelayMilliseconds = 60_000 };
        var (kept, _) = FillTwoPoolsAndFreeTheSecond(heap);
        PooledHeapStatistics waiting = heap.GetStatistics();
        Assert.Equal(TimeSpan.FromMinutes(1), waiting.PurgeDelay);
        Assert.Equal(3L * HeapGeometry.PoolSize, waiting.BytesCommitted);

        // The waiting pool and the thread's empty current pool are decommitted; the full first pool stays.
        Assert.Equal(2L * HeapGeometry.PoolSize, heap.Trim());
        PooledHeapStatistics trimmed = heap.GetStatistics();
        Assert.Equal(0, trimmed.PoolsWaitingForPurge);
        Assert.Equal(2, trimmed.PoolsDecommitted);
        Assert.Equal(HeapGeometry.PoolSize, trimmed.BytesCommitted);
        Assert.Equal(waiting.Purges + 1, trimmed.Purges);
        heap.Validate();
        GC.KeepAlive(kept);
    }

    [Fact]
    public void The_purge_timer_stops_with_a_disposed_heap_and_sleeps_while_nothing_waits()
    {
        var heap = new ArenaHeap { CachedPoolLimit = 0, PurgeDelayMilliseconds = 50 };
        Assert.False(heap.IsPurgeArmed);
        FillTwoPoolsAndFreeTheSecond(heap);
        Assert.True(heap.IsPurgeArmed);
        WaitUntil(() => !heap.IsPurgeArmed, TimeSpan.FromSeconds(10));
        Assert.Equal(0, heap.GetStatistics().PoolsWaitingForPurge);

        // Armed again by a return, then disposed before it fires: the callback finds a disposed heap and does nothing.
        void* block = heap.Allocate(BlockSize);
        var more = Enumerable.Range(0, 2 * HeapTests.BlocksPerPool(BlockSize)).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
        foreach (nint b in more)
        {
            heap.Free((void*)b);
        }

        Assert.True(heap.IsPurgeArmed);
        heap.Dispose();
        Thread.Sleep(200);
        Assert.False(heap.IsPurgeArmed);
        Assert.Throws<ObjectDisposedException>(() => heap.GetStatistics());
        GC.KeepAlive((nint)block);
    }

    // The first pool of the class kept full, a second pool filled and freed (it returns to its arena), and a third, the
    // current pool, left empty (the thread keeps it).
    private static (List<nint> Kept, List<nint> Freed) FillTwoPoolsAndFreeTheSecond(ArenaHeap heap)
    {
        int first = HeapTests.BlocksInFirstPool(BlockSize);
        var blocks = Enumerable.Range(0, first + HeapTests.BlocksPerPool(BlockSize) + 1).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
        List<nint> kept = blocks.Take(first).ToList();
        List<nint> freed = blocks.Skip(first).Take(HeapTests.BlocksPerPool(BlockSize)).ToList();
        foreach (nint b in blocks.Skip(first))
        {
            heap.Free((void*)b);
        }

        return (kept, freed);
    }

    private static long ResidentPages(byte* pool)
    {
        long bytes = OsMemory.ResidentBytes(pool + Environment.SystemPageSize, (nuint)(HeapGeometry.PoolSize - Environment.SystemPageSize));
        Assert.True(bytes >= 0, "mincore is not available here");
        return bytes / Environment.SystemPageSize;
    }

    private static void WaitUntil(Func<bool> done, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < limit, $"not done after {limit.TotalSeconds:0} s");
            Thread.Sleep(20);
        }
    }
}

/// <summary>
/// Bursts of a million blocks with the default purge delay: the reuse they pin holds only while each burst comes back
/// within the delay, so they run alone, not beside the parallel tests that would slow them past it.
/// </summary>
[Collection(SharedHeapCollection.Name)]
public unsafe class PurgeBurstTests
{
    [Fact]
    public void Ten_bursts_with_the_default_delay_allocate_nothing_on_the_GC_heap_and_reuse_their_arenas()
    {
        const int blocks = 1_000_000; // 48-byte blocks, as in issue 17
        var pointers = (void**)System.Runtime.InteropServices.NativeMemory.Alloc(blocks, (nuint)sizeof(void*));
        try
        {
            using var heap = new ArenaHeap();
            Assert.Equal(PooledHeapOptions.DefaultPurgeDelay, heap.GetStatistics().PurgeDelay);
            Burst(heap, pointers);
            long arenas = heap.GetStatistics().ArenasAllocated;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int cycle = 0; cycle < 10; cycle++)
            {
                Burst(heap, pointers);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(arenas, heap.GetStatistics().ArenasAllocated); // every burst reused the arenas of the first
            heap.Validate();
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(pointers);
        }

        static void Burst(ArenaHeap heap, void** pointers)
        {
            for (int i = 0; i < blocks; i++)
            {
                pointers[i] = heap.Allocate(48);
            }

            for (int i = 0; i < blocks; i++)
            {
                heap.Free(pointers[i]);
            }
        }
    }
}

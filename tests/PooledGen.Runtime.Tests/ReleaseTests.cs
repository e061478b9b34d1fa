namespace PooledGen.Runtime.Tests;

public unsafe class ReleaseTests
{
    private static readonly int BlockSize = 512;

    [Fact]
    public void All_arenas_are_returned_after_everything_is_freed_and_Trim_is_called()
    {
        using var heap = new ArenaHeap();
        var blocks = new List<nint>();
        for (int size = 1; size <= 600; size += 7)
        {
            for (int i = 0; i < 200; i++)
            {
                blocks.Add((nint)heap.Allocate((nuint)size));
            }
        }

        PooledHeapStatistics full = heap.GetStatistics();
        Assert.True(full.ArenasCurrent >= 2);
        foreach (nint b in blocks)
        {
            heap.Free((void*)b);
        }

        long released = heap.Trim();
        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(0, stats.ArenasCurrent);
        Assert.Equal(0, stats.BytesReserved);
        Assert.Equal(0, stats.BytesInUse);
        Assert.Equal(0, stats.LargeObjectCount);
        Assert.Equal(full.ArenasAllocated, stats.ArenasReleased);
        Assert.True(released > 0 && released % HeapGeometry.ArenaSize == 0);
        Assert.All(stats.SizeClasses, s => Assert.Equal((0L, 0L, 0L), (s.PoolsInUse, s.BlocksInUse, s.BlocksFree)));

        // The heap still works afterwards.
        heap.Free(heap.Allocate(100));
    }

    [Fact]
    public void With_no_purge_delay_an_arena_with_no_pool_in_use_goes_back_to_the_OS_at_once()
    {
        // The arena layer alone: the thread keeps no empty pool of its own (CacheTests covers that cache), and nothing
        // waits for a purge (PurgeTests covers the delay).
        using var heap = new ArenaHeap { CachedPoolLimit = 0, PurgeDelayMilliseconds = 0 };
        int perArena = HeapTests.BlocksPerArena(BlockSize);
        var blocks = new List<nint>();
        for (int i = 0; i < 2 * perArena + 1; i++)
        {
            blocks.Add((nint)heap.Allocate((nuint)BlockSize));
        }

        Assert.Equal(3, heap.GetStatistics().ArenasCurrent);
        foreach (nint b in blocks)
        {
            heap.Free((void*)b);
        }

        // The first two arenas emptied and went back at once. The third holds the current pool of the class, kept
        // (empty) so that the next allocation does not take a pool again.
        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(2, stats.ArenasReleased);
        Assert.Equal(1, stats.ArenasCurrent);
        Assert.Equal(3, stats.ArenasHighWater);
        Assert.Equal(0, stats.PoolsWaitingForPurge);
        heap.Validate();

        Assert.Equal(HeapGeometry.ArenaSize, heap.Trim());
        stats = heap.GetStatistics();
        Assert.Equal(0, stats.ArenasCurrent);
        Assert.Equal(3, stats.ArenasReleased);
        Assert.Equal(0, heap.Trim());
    }

    [Fact]
    public void New_pools_come_from_the_fullest_arena_so_that_lightly_used_ones_drain()
    {
        using var heap = new ArenaHeap { CachedPoolLimit = 0 };
        int perArena = HeapTests.BlocksPerArena(BlockSize);
        var blocks = new List<nint>();
        for (int i = 0; i < 2 * perArena; i++)
        {
            blocks.Add((nint)heap.Allocate((nuint)BlockSize));
        }

        nuint first = HeapTests.ArenaOf((void*)blocks[0]);
        nuint second = HeapTests.ArenaOf((void*)blocks[^1]);
        Assert.NotEqual(first, second);

        // Empty 3 pools of the first arena and 8 of the second (not the one the thread allocates from).
        EmptyPools(first, 3);
        EmptyPools(second, 8);

        // The next pool comes from the first arena: it has fewer free pools.
        for (int i = 0; i < 3 * HeapTests.BlocksPerPool(BlockSize); i++)
        {
            var p = heap.Allocate((nuint)BlockSize);
            Assert.Equal(first, HeapTests.ArenaOf(p));
            blocks.Add((nint)p);
        }

        Assert.Equal(second, HeapTests.ArenaOf(heap.Allocate((nuint)BlockSize)));
        Assert.Equal(2, heap.GetStatistics().ArenasCurrent);

        void EmptyPools(nuint arena, int pools)
        {
            // Not the pool the thread allocates from: an empty current pool is kept, not returned.
            nuint current = HeapTests.PoolOf((void*)blocks[^1]);
            var chosen = blocks
                .Where(b => HeapTests.ArenaOf((void*)b) == arena && HeapTests.PoolOf((void*)b) != current)
                .GroupBy(b => HeapTests.PoolOf((void*)b))
                .Take(pools)
                .SelectMany(g => g)
                .ToList();
            foreach (nint b in chosen)
            {
                heap.Free((void*)b);
                blocks.Remove(b);
            }
        }
    }
}

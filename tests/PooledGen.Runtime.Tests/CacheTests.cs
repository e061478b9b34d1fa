namespace PooledGen.Runtime.Tests;

/// <summary>
/// The thread's cache of empty pools (mimalloc's retired pages): a pool its owner empties is kept, up to
/// <c>ArenaHeap.MaxCachedPools</c>, and reused for the next pool of any class without the heap lock, so that batches
/// spanning pools do not hand pools back to their arena and take them again every time.
/// </summary>
public unsafe class CacheTests
{
    private const int BlockSize = 64;

    [Fact]
    public void Batches_that_span_pools_reuse_the_emptied_pools_instead_of_taking_new_ones()
    {
        using var heap = new ArenaHeap();
        int perPool = HeapTests.BlocksPerPool(BlockSize);
        var blocks = new nint[3 * perPool];
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                blocks[i] = (nint)heap.Allocate(BlockSize);
            }

            foreach (nint b in blocks)
            {
                heap.Free((void*)b);
            }

            // Three pools (four in the arena's first): all empty, all still the thread's, none back in the arena.
            PooledHeapStatistics stats = heap.GetStatistics();
            Assert.InRange(stats.Class(3).PoolsInUse, 3, 4);
            Assert.Equal(0, stats.Class(3).BlocksInUse);
            Assert.Equal(1, stats.ArenasAllocated);
            heap.Validate();
        }
    }

    [Fact]
    public void At_most_MaxCachedPools_empty_pools_are_kept_and_Trim_returns_them()
    {
        using var heap = new ArenaHeap();
        int perPool = HeapTests.BlocksPerPool(BlockSize);
        var blocks = Enumerable.Range(0, (ArenaHeap.MaxCachedPools + 6) * perPool).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
        foreach (nint b in blocks)
        {
            heap.Free((void*)b);
        }

        // The current pool, and MaxCachedPools emptied ones; the rest went back to their arena.
        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(1 + ArenaHeap.MaxCachedPools, stats.Class(3).PoolsInUse);
        heap.Validate();

        heap.Trim();
        stats = heap.GetStatistics();
        Assert.Equal(0, stats.Class(3).PoolsInUse);
        Assert.Equal(0, stats.ArenasCurrent);
    }

    [Fact]
    public void A_cached_pool_is_reused_for_another_class_with_its_counts_moved()
    {
        using var heap = new ArenaHeap();
        int perPool = HeapTests.BlocksPerPool(BlockSize);
        var blocks = Enumerable.Range(0, 2 * perPool + 1).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
        foreach (nint b in blocks)
        {
            heap.Free((void*)b);
        }

        long poolsBefore = heap.GetStatistics().SizeClasses.Sum(c => c.PoolsInUse);

        // A class the thread has no pool of: a cached 64-byte pool becomes a 256-byte pool, no new pool is taken.
        void* other = heap.Allocate(256);
        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(poolsBefore, stats.SizeClasses.Sum(c => c.PoolsInUse));
        Assert.Equal(1, stats.Class(15).PoolsInUse);
        Assert.Equal(1, stats.Class(15).BlocksInUse);
        Assert.Equal(HeapTests.BlocksPerPool(256) - 1, stats.Class(15).BlocksFree);
        heap.Validate();
        heap.Free(other);
    }

    [Fact]
    public void A_thread_that_ends_gives_its_cached_pools_back()
    {
        using var heap = new ArenaHeap();
        HeapTests.OnNewThread(() =>
        {
            var blocks = Enumerable.Range(0, 3 * HeapTests.BlocksPerPool(BlockSize)).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
            foreach (nint b in blocks)
            {
                heap.Free((void*)b);
            }

            heap.DetachCurrentThread();
        });

        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(c => c.PoolsInUse));
        heap.Validate();
    }
}

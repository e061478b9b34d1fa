namespace PooledGen.Runtime.Tests;

/// <summary>
/// Reclaim on free (mimalloc's abandoned_reclaim_on_free): a thread that frees a block into a pool no thread owns (its
/// thread detached or ended) adopts the pool, under the heap lock once; from then on its frees into the pool are local,
/// and the emptied pool is cached or goes back to its arena as any pool of the thread's.
/// </summary>
public unsafe class ReclaimOnFreeTests
{
    private const int BlockSize = 48;
    private const int Class = 2;

    [Fact]
    public void A_free_into_an_abandoned_pool_makes_it_the_freeing_threads_partial_pool_and_its_next_frees_local()
    {
        using var heap = new ArenaHeap();
        nint[] blocks = AllocateOnThreadThatDetaches(heap, 100);
        var pool = (Pool*)HeapTests.PoolOf((void*)blocks[0]);
        Assert.Equal(1, heap.GetStatistics().AbandonedPools);

        HeapTests.OnNewThread(() =>
        {
            heap.Free((void*)blocks[0]);
            ThreadHeap* mine = heap.CurrentThreadHeapOrNull();
            Assert.True(pool->Owner == mine, "the pool the thread freed into is not its own");
            Assert.Equal(PoolState.Partial, pool->State);
            Assert.True(ThreadHeap.Partial(mine, Class) == pool, "the adopted pool is not on the thread's partial list");
            Assert.Equal(0, heap.GetStatistics().AbandonedPools);
            heap.Validate();

            // The next free takes the owner's fast path: on the pool's own free list, no lock, no thread-free push.
            Assert.True(ArenaHeap.TryFreeLocal(mine, (byte*)blocks[1]), "a free into the adopted pool is not local");
            Assert.True(pool->Free == (byte*)blocks[1] && pool->ThreadFree == 0);
            Assert.Equal(98, heap.GetStatistics().Class(Class).BlocksInUse);
            heap.Validate();

            foreach (nint block in blocks.Skip(2))
            {
                heap.Free((void*)block);
            }

            heap.DetachCurrentThread();
        });

        heap.Validate();
        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(c => c.PoolsInUse));
    }

    [Fact]
    public void A_free_into_a_full_abandoned_pool_puts_it_on_the_freeing_threads_full_list_until_it_has_room()
    {
        using var heap = new ArenaHeap();
        int capacity = 0;
        var blocks = new List<nint>();
        HeapTests.OnNewThread(() =>
        {
            blocks.Add((nint)heap.Allocate(BlockSize));
            capacity = ((Pool*)HeapTests.PoolOf((void*)blocks[0]))->Capacity;
            while (blocks.Count < capacity)
            {
                blocks.Add((nint)heap.Allocate(BlockSize));
            }

            heap.DetachCurrentThread();
        });

        var pool = (Pool*)HeapTests.PoolOf((void*)blocks[0]);
        Assert.True(blocks.All(b => HeapTests.PoolOf((void*)b) == (nuint)pool), "the blocks do not fill exactly one pool");
        int margin = Pool.UnfullMargin(capacity);
        HeapTests.OnNewThread(() =>
        {
            heap.Free((void*)blocks[0]);
            ThreadHeap* mine = heap.CurrentThreadHeapOrNull();
            Assert.True(pool->Owner == mine, "the pool the thread freed into is not its own");
            Assert.Equal(margin == 1 ? PoolState.Partial : PoolState.Full, pool->State);
            heap.Validate();

            // Local frees move it to the partial list once it has room enough, as for any full pool of the thread's.
            for (int i = 1; i < margin; i++)
            {
                Assert.True(ArenaHeap.TryFreeLocal(mine, (byte*)blocks[i]), "a free into the adopted pool is not local");
            }

            Assert.Equal(PoolState.Partial, pool->State);
            heap.Validate();
            foreach (nint block in blocks.Skip(margin))
            {
                heap.Free((void*)block);
            }

            heap.DetachCurrentThread();
        });

        heap.Validate();
        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(c => c.PoolsInUse));
    }

    [Fact]
    public void Adopted_pools_emptied_by_the_freeing_thread_are_cached_up_to_its_limit_and_the_rest_go_back_to_their_arena()
    {
        using var heap = new ArenaHeap();
        nint[] blocks = AllocateOnThreadThatDetaches(heap, (ArenaHeap.MaxCachedPools + 2) * HeapTests.BlocksPerPool(BlockSize));
        long pools = heap.GetStatistics().Class(Class).PoolsInUse;
        Assert.Equal(pools, heap.GetStatistics().AbandonedPools);
        Assert.True(pools > ArenaHeap.MaxCachedPools);

        HeapTests.OnNewThread(() =>
        {
            foreach (nint block in blocks)
            {
                heap.Free((void*)block);
            }

            // Emptied by their new owner: cached as its own emptied pools are, the ones past the cache back in the arena.
            PooledHeapStatistics drained = heap.GetStatistics();
            Assert.Equal(0, drained.AbandonedPools);
            Assert.Equal(0, drained.Class(Class).BlocksInUse);
            Assert.Equal(ArenaHeap.MaxCachedPools, drained.Class(Class).PoolsInUse);
            Assert.Equal(ArenaHeap.MaxCachedPools, heap.CurrentThreadHeapOrNull()->CachedPoolCount);
            heap.Validate();

            heap.Trim();
            Assert.Equal(0, heap.GetStatistics().Class(Class).PoolsInUse);
            Assert.Equal(0, heap.GetStatistics().ArenasCurrent);
            heap.Validate();
            heap.DetachCurrentThread();
        });

        heap.Validate();
    }

    [Fact]
    public void A_heap_that_caches_no_pool_sends_an_adopted_pool_back_to_its_arena_once_emptied()
    {
        using var heap = new ArenaHeap { CachedPoolLimit = 0 };
        nint[] blocks = AllocateOnThreadThatDetaches(heap, 3 * HeapTests.BlocksPerPool(BlockSize));
        HeapTests.OnNewThread(() =>
        {
            // Half of each pool first: every pool is adopted, none is emptied yet.
            for (int i = 0; i < blocks.Length; i += 2)
            {
                heap.Free((void*)blocks[i]);
            }

            PooledHeapStatistics adopted = heap.GetStatistics();
            Assert.Equal(0, adopted.AbandonedPools);
            Assert.True(adopted.Class(Class).PoolsInUse >= 3);
            heap.Validate();

            for (int i = 1; i < blocks.Length; i += 2)
            {
                heap.Free((void*)blocks[i]);
            }

            PooledHeapStatistics drained = heap.GetStatistics();
            Assert.Equal(0, drained.Class(Class).PoolsInUse);
            Assert.Equal(0, drained.Class(Class).BlocksInUse);
            heap.Validate();
            heap.DetachCurrentThread();
        });

        heap.Validate();
    }

    [Fact]
    public void Pools_adopted_by_frees_are_abandoned_again_when_their_new_thread_detaches_and_none_is_lost()
    {
        using var heap = new ArenaHeap();
        nint[] blocks = AllocateOnThreadThatDetaches(heap, 3 * HeapTests.BlocksPerPool(BlockSize));
        long pools = heap.GetStatistics().Class(Class).PoolsInUse;
        HeapTests.OnNewThread(() =>
        {
            for (int i = 0; i < blocks.Length; i += 2)
            {
                heap.Free((void*)blocks[i]);
            }

            PooledHeapStatistics adopted = heap.GetStatistics();
            Assert.Equal(0, adopted.AbandonedPools);
            Assert.Equal(pools, adopted.Class(Class).PoolsInUse);
            ThreadHeap* mine = heap.CurrentThreadHeapOrNull();
            Assert.True(blocks.All(b => ((Pool*)HeapTests.PoolOf((void*)b))->Owner == mine), "a pool freed into is not the freeing thread's");
            heap.DetachCurrentThread();
        });

        // Every pool is abandoned once more, half used: none leaked onto an idle thread heap, none dropped.
        PooledHeapStatistics again = heap.GetStatistics();
        Assert.Equal(0, again.ThreadHeaps);
        Assert.Equal(pools, again.Class(Class).PoolsInUse);
        Assert.Equal(pools, again.AbandonedPools);
        Assert.Equal(blocks.Length / 2, again.Class(Class).BlocksInUse);
        heap.Validate();

        // A third thread takes the rest over the same way and leaves nothing behind.
        HeapTests.OnNewThread(() =>
        {
            for (int i = 1; i < blocks.Length; i += 2)
            {
                heap.Free((void*)blocks[i]);
            }

            Assert.Equal(0, heap.GetStatistics().AbandonedPools);
            heap.DetachCurrentThread();
        });

        PooledHeapStatistics drained = heap.GetStatistics();
        Assert.Equal(0, drained.AbandonedPools);
        Assert.Equal(0, drained.Class(Class).PoolsInUse);
        Assert.Equal(0, drained.Class(Class).BlocksInUse);
        Assert.Equal(drained.Allocations, drained.Frees);
        heap.Validate();
        heap.Trim();
        Assert.Equal(0, heap.GetStatistics().ArenasCurrent);
    }

    [Fact]
    public void A_LocalHeap_kept_past_DetachCurrentThread_frees_into_an_abandoned_pool_without_adopting_it()
    {
        using var heap = new ArenaHeap();
        nint[] blocks = AllocateOnThreadThatDetaches(heap, 100);
        var pool = (Pool*)HeapTests.PoolOf((void*)blocks[0]);
        HeapTests.OnNewThread(() =>
        {
            // Documented as a misuse: the idle thread heap behind the stale LocalHeap must still own no pool.
            LocalHeap stale = heap.Local;
            heap.DetachCurrentThread();
            stale.Free((void*)blocks[0]);
        });

        Assert.Equal(PoolState.Abandoned, pool->State);
        Assert.Equal(1, heap.GetStatistics().AbandonedPools);
        Assert.Equal(blocks.Length - 1, heap.GetStatistics().Class(Class).BlocksInUse);
        heap.Validate();
        HeapTests.OnNewThread(() =>
        {
            foreach (nint block in blocks.Skip(1))
            {
                heap.Free((void*)block);
            }

            heap.DetachCurrentThread();
        });

        heap.Validate();
        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(c => c.PoolsInUse));
    }

    /// <summary>Allocates <paramref name="count"/> blocks of <see cref="BlockSize"/> on a thread that then detaches: their pools are abandoned.</summary>
    /// <summary>Blocks of 48 bytes (class 2) allocated on a new thread that then detaches: their pools are abandoned.</summary>
    internal static nint[] AllocateOnThreadThatDetaches(ArenaHeap heap, int count)
    {
        var blocks = new nint[count];
        HeapTests.OnNewThread(() =>
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                blocks[i] = (nint)heap.Allocate(BlockSize);
            }

            heap.DetachCurrentThread();
        });

        return blocks;
    }
}

/// <summary>Reclaim on free on the shared heap, in the collection that runs alone (it reads the shared heap's counts).</summary>
[Collection(SharedHeapCollection.Name)]
public unsafe class ReclaimOnFreeSharedHeapTests
{
    [Fact]
    public void Adopting_pools_by_freeing_into_them_allocates_no_GC_memory()
    {
        // larson's new threads take over their lanes this way. The first round is not measured: the first pool back in
        // an arena may create the heap's purge timer.
        long abandonedBefore = PooledHeap.GetStatistics().AbandonedPools;
        for (int round = 0; round < 3; round++)
        {
            var blocks = new nint[20_000];
            HeapTests.OnNewThread(() =>
            {
                for (int i = 0; i < blocks.Length; i++)
                {
                    blocks[i] = (nint)PooledHeap.AllocateUninitialized((nuint)(16 + (i % 32) * 16));
                }

                PooledHeap.DetachCurrentThread();
            });

            Assert.True(PooledHeap.GetStatistics().AbandonedPools > abandonedBefore);
            long allocated = -1;
            HeapTests.OnNewThread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                foreach (nint block in blocks)
                {
                    PooledHeap.Free((void*)block);
                }

                PooledHeap.DetachCurrentThread();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            });

            Assert.Equal(abandonedBefore, PooledHeap.GetStatistics().AbandonedPools);
            if (round > 0 && ThreadLife.SignalledByLibc)
            {
                Assert.Equal(0, allocated);
            }
        }
    }
}

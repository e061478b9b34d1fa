namespace PooledGen.Runtime.Tests;

/// <summary>
/// <c>DetachCurrentThread()</c>: a thread about to end hands its pools back at once, without waiting for the garbage
/// collector to finalize its thread state; the finalizer stays the fallback and never hands them back twice.
/// </summary>
public unsafe class DetachTests
{
    [Fact]
    public void A_detached_thread_owns_no_pool_and_its_blocks_freed_later_on_another_thread_return_to_their_arenas()
    {
        using var heap = new ArenaHeap();
        var blocks = new nint[5000];
        HeapTests.OnNewThread(() =>
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                blocks[i] = (nint)heap.Allocate((nuint)(16 + (i % 32) * 16));
                *(int*)blocks[i] = i;
            }

            heap.DetachCurrentThread();
        });

        // No collection has run: the pools were handed back by the detach alone.
        PooledHeapStatistics detached = heap.GetStatistics();
        Assert.Equal(0, detached.ThreadHeaps);
        Assert.Equal(detached.SizeClasses.Sum(c => c.PoolsInUse), detached.AbandonedPools);
        Assert.Equal(blocks.Length, detached.SizeClasses.Sum(c => c.BlocksInUse));
        heap.Validate();

        for (int i = 0; i < blocks.Length; i++)
        {
            Assert.Equal(i, *(int*)blocks[i]);
            heap.Free((void*)blocks[i]);
        }

        // Each pool was adopted by this thread at its first free into it (reclaim on free) and, emptied, cached as the
        // thread's own emptied pools are: MaxCachedPools of them stay cached until Trim, the rest went back to their arenas.
        PooledHeapStatistics drained = heap.GetStatistics();
        Assert.Equal(0, drained.AbandonedPools);
        Assert.Equal(ArenaHeap.MaxCachedPools, drained.SizeClasses.Sum(c => c.PoolsInUse));
        Assert.Equal(ArenaHeap.MaxCachedPools, heap.CurrentThreadHeapOrNull()->CachedPoolCount);
        Assert.Equal(0, drained.SizeClasses.Sum(c => c.BlocksInUse));
        heap.Validate();

        // The lease's finalizer runs later and must not hand the (now idle or reused) thread heap back again.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        heap.Validate();
        heap.Trim();
        Assert.Equal(0, heap.GetStatistics().ArenasCurrent);
    }

    [Fact]
    public void A_new_thread_adopts_the_pools_a_detached_thread_left_before_taking_fresh_ones()
    {
        using var heap = new ArenaHeap();
        var left = new nint[300];
        HeapTests.OnNewThread(() =>
        {
            for (int i = 0; i < left.Length; i++)
            {
                left[i] = (nint)heap.Allocate(48);
            }

            heap.DetachCurrentThread();
        });

        // Another thread frees half of the blocks (adopting their pool at the first free) and detaches in turn: the
        // pool is abandoned again, half used.
        HeapTests.OnNewThread(() =>
        {
            for (int i = 0; i < left.Length; i += 2)
            {
                heap.Free((void*)left[i]);
            }

            heap.DetachCurrentThread();
        });

        long pools = heap.GetStatistics().Class(2).PoolsInUse;
        Assert.Equal(pools, heap.GetStatistics().AbandonedPools);
        HeapTests.OnNewThread(() =>
        {
            for (int i = 0; i < left.Length / 2; i++)
            {
                heap.Allocate(48);
            }

            Assert.Equal(pools, heap.GetStatistics().Class(2).PoolsInUse);
            Assert.Equal(0, heap.GetStatistics().AbandonedPools);
            heap.DetachCurrentThread();
        });

        heap.Validate();
    }

    [Fact]
    public void A_thread_that_allocates_after_detaching_gets_a_new_thread_heap()
    {
        using var heap = new ArenaHeap();
        HeapTests.OnNewThread(() =>
        {
            void* first = heap.Allocate(32);
            heap.DetachCurrentThread();
            Assert.Equal(0, heap.GetStatistics().ThreadHeaps);

            void* second = heap.Allocate(32);
            Assert.Equal(1, heap.GetStatistics().ThreadHeaps);
            heap.Free(first);
            heap.Free(second);
            heap.DetachCurrentThread();
            heap.DetachCurrentThread(); // a second detach with nothing attached does nothing
        });

        heap.Validate();
        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(c => c.BlocksInUse));
    }

    [Fact]
    public void Detaching_a_thread_that_never_used_the_heap_does_nothing_and_a_disposed_heap_refuses()
    {
        var heap = new ArenaHeap();
        heap.DetachCurrentThread();
        Assert.Equal(0, heap.GetStatistics().ThreadHeaps);
        heap.Dispose();

        var refused = Assert.Throws<ObjectDisposedException>(heap.DetachCurrentThread);
        Assert.Equal(nameof(ArenaHeap), refused.ObjectName);
    }

    [Fact]
    public void PooledHeap_DetachCurrentThread_hands_the_shared_thread_heap_back()
    {
        HeapTests.OnNewThread(() =>
        {
            Pooled<Point3> p = PooledHeap.Alloc<Point3>();
            Assert.True(ThreadStatics.SharedThreadHeap != null);
            PooledHeap.DetachCurrentThread();
            Assert.True(ThreadStatics.SharedThreadHeap == null);

            // The block stays valid and frees from the detached thread (a remote free into an abandoned pool).
            p.Value.X = 1;
            PooledHeap.Free(p);
            PooledHeap.DetachCurrentThread();
        });
    }
}

/// <summary>
/// Threads that end without detaching: their pools go back when the heap next notices (a thread attaching, or a pool
/// about to come from an arena), without waiting for a garbage collection; the late finalizer of their lease then
/// leaves alone the thread heap, reused by another thread since.
/// </summary>
public unsafe class DeadThreadTests
{
    [Fact]
    public void A_new_thread_reclaims_the_pools_of_a_thread_that_ended_without_detaching_before_any_collection()
    {
        using var heap = new ArenaHeap();
        var left = new nint[3000];
        GC.TryStartNoGCRegion(1 << 20); // no collection may finalize the dead thread's lease in this test
        try
        {
            HeapTests.OnNewThread(() =>
            {
                for (int i = 0; i < left.Length; i++)
                {
                    left[i] = (nint)heap.Allocate(48);
                }
            });

            long poolsLeft = heap.GetStatistics().Class(2).PoolsInUse;
            Assert.Equal(1, heap.GetStatistics().ThreadHeaps);
            HeapTests.OnNewThread(() =>
            {
                // Attaching notices the ended thread: its pools are abandoned, and this thread adopts them.
                void* mine = heap.Allocate(48);
                PooledHeapStatistics stats = heap.GetStatistics();
                Assert.Equal(1, stats.ThreadHeaps);
                Assert.Equal(poolsLeft, stats.Class(2).PoolsInUse);
                Assert.Equal(poolsLeft - 1, stats.AbandonedPools);
                heap.Free(mine);
                heap.DetachCurrentThread();
            });
        }
        finally
        {
            if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }

        heap.Validate();
        foreach (nint b in left)
        {
            heap.Free((void*)b);
        }

        // This thread adopted the pools it freed into and cached them once emptied; Trim gives them back.
        PooledHeapStatistics drained = heap.GetStatistics();
        Assert.Equal(0, drained.AbandonedPools);
        Assert.Equal(0, drained.SizeClasses.Sum(c => c.BlocksInUse));
        Assert.Equal(heap.CurrentThreadHeapOrNull()->CachedPoolCount, drained.SizeClasses.Sum(c => c.PoolsInUse));
        heap.Validate();
        heap.Trim();
        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(c => c.PoolsInUse));
    }

    [Fact]
    public void The_late_finalizer_of_an_ended_threads_lease_leaves_the_reused_thread_heap_alone()
    {
        using var heap = new ArenaHeap();
        HeapTests.OnNewThread(() => heap.Free(heap.Allocate(64)));

        using var go = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        var blocks = new List<nint>();
        var survivor = new Thread(() =>
        {
            // This thread takes the ended thread's (idle) thread heap and keeps its blocks while the old lease is finalized.
            for (int i = 0; i < 2000; i++)
            {
                blocks.Add((nint)heap.Allocate(64));
            }

            go.Set();
            done.Wait();
            foreach (nint b in blocks)
            {
                heap.Free((void*)b);
            }

            heap.DetachCurrentThread();
        });
        survivor.Start();
        go.Wait();
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(1, stats.ThreadHeaps);
        Assert.Equal(0, stats.AbandonedPools);
        done.Set();
        survivor.Join();
        heap.Validate();
        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(c => c.BlocksInUse));
    }
}

/// <summary>
/// The exit records of threads (ThreadLife), apart from the parallel tests: their threads would hold records of their
/// own while this counts them.
/// </summary>
[Collection(SharedHeapCollection.Name)]
public unsafe class ThreadExitRecordTests
{
    [Fact]
    public void Threads_that_end_one_after_another_reuse_one_exit_record_each_instead_of_piling_them_up()
    {
        using var heap = new ArenaHeap();
        HeapTests.OnNewThread(() => heap.Free(heap.Allocate(64)));
        int records = ThreadLife.RecordCount;
        for (int i = 0; i < 200; i++)
        {
            // Half detach, half just end: both give their record back once the heap has seen the end.
            bool detach = i % 2 == 0;
            HeapTests.OnNewThread(() =>
            {
                heap.Free(heap.Allocate(64));
                if (detach)
                {
                    heap.DetachCurrentThread();
                }
            });
        }

        // Records of threads that other tests left unnoticed stay held; none is added here: a bound, not an equality.
        Assert.InRange(ThreadLife.RecordCount, 1, records + 32);
        Assert.Equal(1, heap.GetStatistics().ThreadHeaps);
        heap.Validate();
    }
}

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

        PooledHeapStatistics drained = heap.GetStatistics();
        Assert.Equal(0, drained.AbandonedPools);
        Assert.Equal(0, drained.SizeClasses.Sum(c => c.PoolsInUse));
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

        for (int i = 0; i < left.Length; i += 2)
        {
            heap.Free((void*)left[i]);
        }

        long pools = heap.GetStatistics().Class(2).PoolsInUse;
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
            Assert.True(ArenaHeap.t_sharedThreadHeap != null);
            PooledHeap.DetachCurrentThread();
            Assert.True(ArenaHeap.t_sharedThreadHeap == null);

            // The block stays valid and frees from the detached thread (a remote free into an abandoned pool).
            p.Value.X = 1;
            PooledHeap.Free(p);
            PooledHeap.DetachCurrentThread();
        });
    }
}

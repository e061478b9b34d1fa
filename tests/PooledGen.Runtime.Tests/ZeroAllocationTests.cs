namespace PooledGen.Runtime.Tests;

/// <summary>The fast paths allocate nothing on the GC heap.</summary>
[Collection(SharedHeapCollection.Name)]
public unsafe class ZeroAllocationTests
{
    private const int Pairs = 1_000_000;

    [Fact]
    public void A_million_typed_alloc_and_free_pairs_on_the_shared_heap_allocate_no_GC_memory()
    {
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        long checksum = Run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal((long)Pairs * (Pairs - 1) / 2, checksum);

        static long Run()
        {
            long sum = 0;
            for (int i = 0; i < Pairs; i++)
            {
                Pooled<Point3> p = PooledHeap.Alloc<Point3>();
                p.Value.X = i;
                sum += (long)p.Value.X;
                PooledHeap.Free(p);
            }

            return sum;
        }
    }

    [Fact]
    public void A_new_thread_attaches_allocates_frees_and_detaches_with_no_GC_memory()
    {
        // larson starts hundreds of threads a second: a thread's first use of the shared heap must not cost GC memory
        // (no Thread.CurrentThread, no managed thread-static storage). Linux signals a thread's end through libc; other
        // systems fall back on the Thread object, whose first read allocates.
        Assert.True(ThreadLife.SignalledByLibc || !OperatingSystem.IsLinux(), "Linux must signal thread ends through libc");

        // A thread heap made for more threads at once than the heap has seen may grow the heap's lists (once); this one
        // leaves an idle thread heap, which each measured thread takes and gives back.
        HeapTests.OnNewThread(() =>
        {
            PooledHeap.Free(PooledHeap.AllocateUninitialized(100));
            PooledHeap.DetachCurrentThread();
        });
        for (int round = 0; round < 3; round++)
        {
            long allocated = -1;
            HeapTests.OnNewThread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                void* untyped = PooledHeap.AllocateUninitialized(100);
                Pooled<Point3> typed = PooledHeap.Alloc<Point3>();
                LocalHeap heap = PooledHeap.Local;
                Pooled<Point3> local = heap.Alloc<Point3>();
                heap.Free(local);
                PooledHeap.Free(typed);
                PooledHeap.Free(untyped);
                PooledHeap.DetachCurrentThread();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            });

            if (ThreadLife.SignalledByLibc)
            {
                Assert.Equal(0, allocated);
            }
        }
    }

    [Fact]
    public void A_million_untyped_and_private_heap_pairs_allocate_no_GC_memory()
    {
        using var heap = new ArenaHeap();
        Run(heap);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(heap);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(s => s.BlocksInUse));

        static void Run(ArenaHeap heap)
        {
            for (int i = 0; i < Pairs; i++)
            {
                void* raw = PooledHeap.Allocate((nuint)(i & 511) + 1);
                Pooled<Bytes100> typed = heap.Alloc<Bytes100>();
                PooledHeap.Free(raw);
                heap.Free(typed);
            }
        }
    }

    [Fact]
    public void Working_sets_spanning_many_pools_allocate_no_GC_memory_once_warm()
    {
        var handles = new Pooled<Bytes17>[20_000];
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 10; round++)
        {
            Run();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void Run()
        {
            for (int i = 0; i < handles.Length; i++)
            {
                handles[i] = PooledHeap.Alloc<Bytes17>();
            }

            for (int i = 0; i < handles.Length; i++)
            {
                PooledHeap.Free(handles[i]);
            }
        }
    }
}

/// <summary>Tests that read the shared heap's counts, run apart from every other test so that the counts only move because of them.</summary>
[Collection(SharedHeapCollection.Name)]
public unsafe class SharedHeapTests
{
    [Fact]
    public void A_thread_that_exits_holding_a_shared_heap_block_leaves_its_pool_abandoned_then_drained()
    {
        // Class 30 (481 to 496 bytes), which no other test keeps blocks of.
        PooledHeapStatistics before = PooledHeap.GetStatistics();
        void* block = null;
        HeapTests.OnNewThread(() => block = PooledHeap.Allocate(490));
        Assert.Equal(before.Class(30).PoolsInUse + 1, PooledHeap.GetStatistics().Class(30).PoolsInUse);

        HeapTests.CollectUntil(() => PooledHeap.GetStatistics().AbandonedPools > before.AbandonedPools);
        nint pool = (nint)HeapTests.PoolOf(block);
        HeapTests.OnNewThread(() =>
        {
            // The free adopts the pool (reclaim on free); emptied, it is cached by this thread until it detaches.
            PooledHeap.Free(block);
            Assert.Equal(PoolState.Cached, ((Pool*)pool)->State);
            Assert.True(((Pool*)pool)->Owner == ThreadStatics.SharedThreadHeap, "the emptied pool is not cached by the thread that freed into it");
            PooledHeap.DetachCurrentThread();
        });

        PooledHeapStatistics after = PooledHeap.GetStatistics();
        Assert.Equal(before.AbandonedPools, after.AbandonedPools);
        Assert.Equal(before.Class(30).PoolsInUse, after.Class(30).PoolsInUse);
        Assert.Equal(before.Class(30).BlocksInUse, after.Class(30).BlocksInUse);
    }
}

/// <summary>
/// Tests that measure the shared heap (its counts, or allocations on their thread) run in this collection, which xunit
/// runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharedHeapCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Shared heap, not parallel";
}

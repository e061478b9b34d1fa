using System.Collections.Concurrent;

namespace PooledGen.Runtime.Tests;

public unsafe class ThreadTests
{
    [Fact]
    public void Blocks_freed_on_another_thread_are_reused_by_the_owner_without_new_pools()
    {
        using var heap = new ArenaHeap();
        const int count = 5000; // several pools of 48-byte blocks
        var blocks = new nint[count];
        for (int i = 0; i < count; i++)
        {
            blocks[i] = (nint)heap.Allocate(48);
        }

        PooledHeapStatistics before = heap.GetStatistics();
        HeapTests.OnNewThread(() =>
        {
            foreach (nint b in blocks)
            {
                heap.Free((void*)b);
            }
        });

        Assert.Equal(0, heap.GetStatistics().Class(2).BlocksInUse);

        // The owner gets the blocks back (from its pools' thread-free lists) and takes no new pool. Only the
        // never-used tail of its current pool may serve some allocations.
        var freed = new HashSet<nint>(blocks);
        int reused = 0;
        for (int i = 0; i < count; i++)
        {
            if (freed.Remove((nint)heap.Allocate(48)))
            {
                reused++;
            }
        }

        Assert.True(reused > count - HeapTests.BlocksPerPool(48), $"only {reused} of {count} blocks freed by the other thread were reused");
        PooledHeapStatistics after = heap.GetStatistics();
        Assert.Equal(before.Class(2).PoolsInUse, after.Class(2).PoolsInUse);
        Assert.Equal(before.ArenasAllocated, after.ArenasAllocated);
        Assert.Equal(count, after.Class(2).BlocksInUse);
    }

    [Fact]
    public void Pools_of_a_thread_that_exits_holding_blocks_are_drained_by_frees_and_returned()
    {
        using var heap = new ArenaHeap();
        var blocks = new nint[3000];
        HeapTests.OnNewThread(() =>
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                blocks[i] = (nint)heap.Allocate(64);
                *(int*)blocks[i] = i;
            }
        });

        HeapTests.CollectUntil(() => heap.GetStatistics().ThreadHeaps == 0);
        PooledHeapStatistics abandoned = heap.GetStatistics();
        Assert.True(abandoned.AbandonedPools > 0, "the exited thread's pools were not abandoned to the heap");
        Assert.Equal(abandoned.Class(3).PoolsInUse, abandoned.AbandonedPools);
        Assert.Equal(blocks.Length, abandoned.Class(3).BlocksInUse);

        for (int i = 0; i < blocks.Length; i++)
        {
            Assert.Equal(i, *(int*)blocks[i]);
            heap.Free((void*)blocks[i]);
        }

        // This thread adopted each pool at its first free into it (reclaim on free) and cached it once emptied, as it
        // caches its own emptied pools, up to MaxCachedPools; Trim gives them back.
        PooledHeapStatistics drained = heap.GetStatistics();
        Assert.Equal(0, drained.AbandonedPools);
        Assert.Equal(Math.Min(abandoned.Class(3).PoolsInUse, ArenaHeap.MaxCachedPools), drained.Class(3).PoolsInUse);
        Assert.Equal(drained.Class(3).PoolsInUse, heap.CurrentThreadHeapOrNull()->CachedPoolCount);
        Assert.Equal(0, drained.Class(3).BlocksInUse);
        heap.Validate();

        heap.Trim();
        Assert.Equal(0, heap.GetStatistics().ArenasCurrent);
    }

    [Fact]
    public void Pools_of_a_thread_that_exits_are_adopted_by_a_thread_that_needs_their_class()
    {
        using var heap = new ArenaHeap();
        var kept = new List<nint>();
        HeapTests.OnNewThread(() =>
        {
            var all = new List<nint>();
            for (int i = 0; i < 2000; i++)
            {
                all.Add((nint)heap.Allocate(32));
            }

            // Keep every other block: each pool stays half used.
            for (int i = 0; i < all.Count; i++)
            {
                if (i % 2 == 0)
                {
                    kept.Add(all[i]);
                }
                else
                {
                    heap.Free((void*)all[i]);
                }
            }
        });

        HeapTests.CollectUntil(() => heap.GetStatistics().ThreadHeaps == 0);
        PooledHeapStatistics before = heap.GetStatistics();
        Assert.True(before.AbandonedPools > 0);

        // Filling the free halves needs no new pool: the abandoned pools are adopted.
        var fresh = new List<nint>();
        for (int i = 0; i < 1000; i++)
        {
            fresh.Add((nint)heap.Allocate(32));
        }

        PooledHeapStatistics after = heap.GetStatistics();
        Assert.Equal(before.Class(1).PoolsInUse, after.Class(1).PoolsInUse);
        Assert.Equal(before.ArenasAllocated, after.ArenasAllocated);
        Assert.Equal(0, after.AbandonedPools);
        Assert.Empty(fresh.Intersect(kept));

        foreach (nint b in kept.Concat(fresh))
        {
            heap.Free((void*)b);
        }

        heap.Trim();
        Assert.Equal(0, heap.GetStatistics().ArenasCurrent);
    }

    [Fact]
    public void Threads_passing_blocks_to_each_other_keep_every_block_intact_and_return_all_memory()
    {
        using var heap = new ArenaHeap();
        const int threads = 4;
        const int perThread = 50_000;
        var queues = Enumerable.Range(0, threads).Select(_ => new ConcurrentQueue<nint>()).ToArray();
        var failures = new ConcurrentQueue<string>();
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int me = t;
            workers[t] = new Thread(() =>
            {
                var random = new Random(me);
                ConcurrentQueue<nint> outbox = queues[(me + 1) % threads];
                ConcurrentQueue<nint> inbox = queues[me];
                for (int i = 0; i < perThread; i++)
                {
                    int size = random.Next(1, 600); // small classes and the large path
                    var p = (byte*)heap.Allocate((nuint)size);
                    *(int*)p = size;
                    new Span<byte>(p + 4, size - 4 > 0 ? size - 4 : 0).Fill((byte)size);
                    outbox.Enqueue((nint)p);
                    if (inbox.TryDequeue(out nint theirs))
                    {
                        Check(theirs);
                    }
                }
            });
        }

        foreach (Thread w in workers)
        {
            w.Start();
        }

        foreach (Thread w in workers)
        {
            w.Join();
        }

        // The owners are gone: what is left is freed by this thread, into abandoned pools.
        foreach (ConcurrentQueue<nint> q in queues)
        {
            while (q.TryDequeue(out nint p))
            {
                Check(p);
            }
        }

        Assert.Empty(failures);

        // The workers' thread heaps are abandoned; this thread's (it freed the leftovers) remains.
        HeapTests.CollectUntil(() => heap.GetStatistics().ThreadHeaps == 1);
        heap.Trim();
        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.All(stats.SizeClasses, s => Assert.Equal(0, s.BlocksInUse));
        Assert.Equal(0, stats.LargeObjectCount);
        Assert.Equal(0, stats.ArenasCurrent);
        Assert.Equal(0, stats.BytesReserved);
        Assert.Equal(stats.ArenasAllocated, stats.ArenasReleased);

        void Check(nint block)
        {
            var p = (byte*)block;
            int size = *(int*)p;
            if (size < 1 || size >= 600 || new ReadOnlySpan<byte>(p + 4, size - 4 > 0 ? size - 4 : 0).IndexOfAnyExcept((byte)size) >= 0)
            {
                failures.Enqueue($"block 0x{block:X} (size {size}) was corrupted");
            }

            heap.Free(p);
        }
    }
}

public unsafe class TrimAcrossThreadsTests
{
    [Fact]
    public void Trim_asks_other_threads_to_release_their_empty_pools_at_their_next_slow_path()
    {
        using var heap = new ArenaHeap();
        using var freedAll = new ManualResetEventSlim();
        using var trimmed = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            // Alloc and free: the current pool of the class stays with this thread, empty.
            heap.Free(heap.Allocate(64));
            freedAll.Set();
            trimmed.Wait();

            // Any slow path (a class this thread has no pool for) honours the request.
            heap.Free(heap.Allocate(300));
        });
        worker.Start();
        freedAll.Wait();

        heap.Trim();
        Assert.Equal(1, heap.GetStatistics().Class(3).PoolsInUse);
        trimmed.Set();
        worker.Join();

        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(0, stats.Class(3).PoolsInUse);
        Assert.Equal(1, stats.Class(18).PoolsInUse);
    }

    [Fact]
    public void Statistics_can_be_taken_while_threads_allocate_and_free()
    {
        using var heap = new ArenaHeap();
        using var stop = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            var mine = new Queue<nint>();
            while (!stop.IsSet)
            {
                mine.Enqueue((nint)heap.Allocate((nuint)(16 * (t + 1))));
                if (mine.Count > 3000)
                {
                    heap.Free((void*)mine.Dequeue());
                }
            }

            while (mine.Count > 0)
            {
                heap.Free((void*)mine.Dequeue());
            }
        })).ToList();
        workers.ForEach(w => w.Start());

        for (int i = 0; i < 200; i++)
        {
            PooledHeapStatistics stats = heap.GetStatistics();
            Assert.All(stats.SizeClasses, s => Assert.True(s.BlocksFree >= 0 && s.PoolsInUse >= 0));
            Assert.True(stats.BytesReserved >= 0);
        }

        stop.Set();
        workers.ForEach(w => w.Join());
        Assert.All(heap.GetStatistics().SizeClasses, s => Assert.Equal(0, s.BlocksInUse));
    }
}

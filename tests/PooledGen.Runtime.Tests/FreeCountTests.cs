namespace PooledGen.Runtime.Tests;

/// <summary>
/// The statistics' free counts. A local free counts nothing (its pool's <c>Used</c> drops, the fast path's one
/// counter), so the heap derives frees from the allocations and the blocks in use: the pools' <c>Used</c>, less the
/// blocks other threads freed that wait on thread-free lists (pushed, counted by the pusher, less those collected,
/// counted by the collector). These tests pin each of those counts where it changes. They run alone: one keeps both
/// cores busy for half a second, which would starve the timing-bound tests beside it.
/// </summary>
[Collection(SharedHeapCollection.Name)]
public unsafe class FreeCountTests
{
    private const int BlockSize = 48;
    private const int Class = 2;

    [Fact]
    public void Local_frees_are_counted_though_the_free_path_counts_nothing()
    {
        using var heap = new ArenaHeap();
        var blocks = Enumerable.Range(0, 300).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
        blocks.Take(120).ToList().ForEach(b => heap.Free((void*)b));

        SizeClassStatistics counts = heap.GetStatistics().Class(Class);
        Assert.Equal((300L, 120L, 180L), (counts.Allocations, counts.Frees, counts.BlocksInUse));
        heap.Validate();

        blocks.Skip(120).ToList().ForEach(b => heap.Free((void*)b));
        counts = heap.GetStatistics().Class(Class);
        Assert.Equal((300L, 300L, 0L), (counts.Allocations, counts.Frees, counts.BlocksInUse));
    }

    [Fact]
    public void A_block_another_thread_frees_counts_as_freed_at_once_and_once_when_its_owner_collects_it()
    {
        using var heap = new ArenaHeap();
        var blocks = Enumerable.Range(0, 100).Select(_ => (nint)heap.Allocate(BlockSize)).ToArray();
        var pool = (Pool*)HeapTests.PoolOf((void*)blocks[0]);

        HeapTests.OnNewThread(() =>
        {
            blocks.Take(40).ToList().ForEach(b => heap.Free((void*)b));
            heap.DetachCurrentThread();
        });

        Assert.True(pool->ThreadFree != 0, "the other thread's frees did not wait on the pool's thread-free list");
        SizeClassStatistics counts = heap.GetStatistics().Class(Class);
        Assert.Equal((100L, 40L, 60L), (counts.Allocations, counts.Frees, counts.BlocksInUse));
        heap.Validate();

        // The owner takes them back when its current pool has nothing else to give: they are not counted again.
        int collectedBefore = (int)heap.CurrentThreadHeapOrNull()->Collected[Class];
        var more = new List<nint>();
        while (pool->ThreadFree != 0 && more.Count <= pool->Capacity)
        {
            more.Add((nint)heap.Allocate(BlockSize));
        }

        Assert.True(pool->ThreadFree == 0, $"the owner allocated {more.Count} blocks without collecting its thread-free list");

        Assert.Equal(40, heap.CurrentThreadHeapOrNull()->Collected[Class] - collectedBefore);
        counts = heap.GetStatistics().Class(Class);
        Assert.Equal((100L + more.Count, 40L, 60L + more.Count), (counts.Allocations, counts.Frees, counts.BlocksInUse));
        heap.Validate();

        blocks.Skip(40).Concat(more).ToList().ForEach(b => heap.Free((void*)b));
        counts = heap.GetStatistics().Class(Class);
        Assert.Equal(counts.Allocations, counts.Frees);
        Assert.Equal(0, counts.BlocksInUse);
    }

    [Fact]
    public void Frees_never_fall_nor_pass_the_allocations_while_threads_allocate_free_and_hand_blocks_over()
    {
        using var heap = new ArenaHeap();
        var handOver = new System.Collections.Concurrent.ConcurrentQueue<nint>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 2).Select(w => new Thread(() =>
        {
            var random = new Random(w);
            var mine = new List<nint>();
            while (!stop.IsCancellationRequested)
            {
                for (int i = 0; i < 64; i++)
                {
                    mine.Add((nint)heap.Allocate((nuint)random.Next(1, 513)));
                }

                // Some back locally, some to the other worker (remote frees), some of the other's.
                for (int i = mine.Count - 1; i >= 0; i -= 2)
                {
                    if (random.Next(3) == 0)
                    {
                        handOver.Enqueue(mine[i]);
                    }
                    else
                    {
                        heap.Free((void*)mine[i]);
                    }

                    mine.RemoveAt(i);
                }

                for (int n = random.Next(64); n > 0 && handOver.TryDequeue(out nint other); n--)
                {
                    heap.Free((void*)other);
                }
            }

            mine.ForEach(b => heap.Free((void*)b));
            heap.DetachCurrentThread();
        })).ToList();
        workers.ForEach(t => t.Start());

        var last = heap.GetStatistics().SizeClasses.ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int snapshots = 0;
        try
        {
            while (clock.ElapsedMilliseconds < 500)
            {
                SizeClassStatistics[] now = heap.GetStatistics().SizeClasses.ToArray();
                for (int c = 0; c < now.Length; c++)
                {
                    Assert.True(now[c].Frees >= last[c].Frees, $"class {c}: {now[c].Frees} frees after {last[c].Frees}");
                    Assert.True(now[c].Frees <= now[c].Allocations && now[c].BlocksInUse == now[c].Allocations - now[c].Frees,
                        $"class {c}: {now[c].Allocations} allocations, {now[c].Frees} frees, {now[c].BlocksInUse} blocks in use");
                }

                last = now;
                snapshots++;
            }
        }
        finally
        {
            // The workers stop before the heap is disposed, whatever the assertions found.
            stop.Cancel();
            workers.ForEach(t => t.Join());
        }
        while (handOver.TryDequeue(out nint other))
        {
            heap.Free((void*)other);
        }

        heap.Validate();
        PooledHeapStatistics end = heap.GetStatistics();
        Assert.True(snapshots > 10 && end.Allocations > 10_000, $"{snapshots} snapshots over {end.Allocations} allocations");
        Assert.Equal(end.Allocations, end.Frees);
        Assert.All(end.SizeClasses, c => Assert.Equal(0, c.BlocksInUse));
    }

    [Fact]
    public void A_block_pushed_on_a_pool_abandoned_meanwhile_is_counted_when_the_adopter_collects_it_under_the_lock()
    {
        using var heap = new ArenaHeap();
        nint[] blocks = ReclaimOnFreeTests.AllocateOnThreadThatDetaches(heap, 10);

        var pool = (Pool*)HeapTests.PoolOf((void*)blocks[0]);
        Assert.Equal(PoolState.Abandoned, pool->State);

        // The race FreeElsewhere allows: a thread read the owner before the pool was abandoned, then pushed.
        heap.Allocate(16); // this thread's thread heap of the heap
        ThreadHeap* mine = heap.CurrentThreadHeapOrNull();
        Pool.PushThreadFree(pool, (byte*)blocks[0]);
        mine->RemoteFrees[Class]++;
        Assert.Equal((1L, 9L), (heap.GetStatistics().Class(Class).Frees, heap.GetStatistics().Class(Class).BlocksInUse));
        heap.Validate();

        // This thread adopts the pool (the owner is no thread while the lock holder collects) and the count stays.
        nint adopted = (nint)heap.Allocate(BlockSize);
        Assert.True(pool->Owner == mine && pool->ThreadFree == 0, "the abandoned pool was not adopted with its thread-free list collected");
        Assert.Equal(0, mine->Collected[Class]);
        SizeClassStatistics counts = heap.GetStatistics().Class(Class);
        Assert.Equal((11L, 1L, 10L), (counts.Allocations, counts.Frees, counts.BlocksInUse));
        heap.Validate();

        blocks.Skip(1).Append(adopted).ToList().ForEach(b => heap.Free((void*)b));
        Assert.Equal(0, heap.GetStatistics().Class(Class).BlocksInUse);
        heap.Validate();
    }
}

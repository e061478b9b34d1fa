namespace PooledGen.Runtime.Tests;

/// <summary>
/// The statistics' free counts. A local free counts nothing (its pool's <c>Used</c> drops, the fast path's one
/// counter), so the heap derives frees from the allocations and the blocks in use: the pools' <c>Used</c>, less the
/// blocks other threads freed that wait on thread-free lists (pushed, counted by the pusher, less those collected,
/// counted by the collector). These tests pin each of those counts where it changes.
/// </summary>
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
        while (pool->ThreadFree != 0)
        {
            more.Add((nint)heap.Allocate(BlockSize));
        }

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
    public void A_block_pushed_on_a_pool_abandoned_meanwhile_is_counted_when_the_adopter_collects_it_under_the_lock()
    {
        using var heap = new ArenaHeap();
        var blocks = new nint[10];
        HeapTests.OnNewThread(() =>
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                blocks[i] = (nint)heap.Allocate(BlockSize);
            }

            heap.DetachCurrentThread();
        });

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

namespace PooledGen.Runtime.Tests;

/// <summary>
/// <c>ArenaHeap.Validate()</c>, the heap walker: it passes on a heap in every state a pool can be in, and names the
/// invariant when one is broken on purpose through the internal headers.
/// </summary>
public unsafe class HeapValidationTests
{
    [Fact]
    public void Validate_passes_with_current_partial_full_abandoned_and_remotely_freed_pools()
    {
        using var heap = new ArenaHeap();
        var mine = new List<nint>();
        for (int size = 16; size <= 512; size += 16)
        {
            for (int i = 0; i < 40; i++)
            {
                mine.Add((nint)heap.Allocate((nuint)size));
            }
        }

        // Fill two pools of 64-byte blocks, then free one block of the first: full, then partial.
        int perPool = HeapTests.BlocksPerPool(64);
        var full = Enumerable.Range(0, 2 * perPool).Select(_ => (nint)heap.Allocate(64)).ToList();
        heap.Free((void*)full[0]);
        full.RemoveAt(0);

        // A thread that leaves blocks behind, and blocks freed by another thread into this thread's pools.
        var theirs = new nint[500];
        HeapTests.OnNewThread(() =>
        {
            for (int i = 0; i < theirs.Length; i++)
            {
                theirs[i] = (nint)heap.Allocate(48);
            }

            for (int i = 0; i < 100; i++)
            {
                heap.Free((void*)mine[i]);
            }

            heap.DetachCurrentThread();
        });

        heap.Validate();
        foreach (nint block in mine.Skip(100).Concat(full).Concat(theirs))
        {
            heap.Free((void*)block);
        }

        heap.Validate();
        heap.Trim();
        heap.Validate();
        Assert.Equal(0, heap.GetStatistics().ArenasCurrent);
    }

    [Fact]
    public void Validate_names_a_pool_whose_used_count_is_wrong()
    {
        using var heap = new ArenaHeap();
        void* block = heap.Allocate(32);
        var pool = (Pool*)HeapTests.PoolOf(block);
        pool->Used += 1;

        var broken = Assert.Throws<InvariantViolationException>(heap.Validate);
        Assert.Contains($"pool 0x{(nuint)pool:X}", broken.Message);
        Assert.Contains("Used is 2 but 1 blocks are carved and 0 are on its free list", broken.Message);

        pool->Used -= 1;
        heap.Validate();
    }

    [Fact]
    public void Validate_names_a_cycle_in_a_free_list()
    {
        using var heap = new ArenaHeap();
        void* a = heap.Allocate(32);
        void* b = heap.Allocate(32);
        void* keep = heap.Allocate(32);
        heap.Free(a);
        heap.Free(b);
        heap.Validate();

        // b is the head and links to a; make a link back to b.
        *(void**)a = b;
        var broken = Assert.Throws<InvariantViolationException>(heap.Validate);
        Assert.Contains($"block 0x{(nuint)b:X} is on its free list twice", broken.Message);

        *(void**)a = null;
        heap.Validate();
        heap.Free(keep);
    }

    [Fact]
    public void Validate_names_a_free_list_entry_that_is_not_a_block_start()
    {
        using var heap = new ArenaHeap();
        void* a = heap.Allocate(64);
        void* keep = heap.Allocate(64);
        heap.Free(a);
        var pool = (Pool*)HeapTests.PoolOf(a);
        byte* head = pool->Free;
        pool->Free = head + 8;

        var broken = Assert.Throws<InvariantViolationException>(heap.Validate);
        Assert.Contains($"holds 0x{(nuint)(head + 8):X}, which is not the start of a carved block", broken.Message);

        pool->Free = head;
        heap.Validate();
        heap.Free(keep);
    }

    [Fact]
    public void Validate_names_an_arena_in_the_wrong_bucket()
    {
        using var heap = new ArenaHeap();
        void* block = heap.Allocate(16);
        Arena* arena = Arena.Of(block);
        arena->FreePools -= 1;

        var broken = Assert.Throws<InvariantViolationException>(heap.Validate);
        Assert.Contains($"arena 0x{HeapTests.ArenaOf(block):X}: in bucket {HeapGeometry.PoolsPerArena - 1} but has {HeapGeometry.PoolsPerArena - 2} free pools", broken.Message);

        arena->FreePools += 1;
        heap.Validate();
    }

    [Fact]
    public void Validate_names_a_pool_in_the_wrong_state()
    {
        using var heap = new ArenaHeap();
        void* block = heap.Allocate(16);
        var pool = (Pool*)HeapTests.PoolOf(block);
        pool->State = PoolState.Partial;

        var broken = Assert.Throws<InvariantViolationException>(heap.Validate);
        Assert.Contains("current pool of class 0: State is Partial, expected Current", broken.Message);

        pool->State = PoolState.Current;
        heap.Validate();
    }

    [Fact]
    public void Validate_names_counters_that_disagree_with_the_pools()
    {
        using var heap = new ArenaHeap();
        heap.Allocate(96);
        ThreadHeap* threadHeap = heap.CurrentThreadHeapOrNull();
        threadHeap->RemoteFrees[5]++;

        var broken = Assert.Throws<InvariantViolationException>(heap.Validate);
        Assert.Contains("class 5: the counters say 1 blocks freed by other threads wait on thread-free lists but the pools' lists hold 0", broken.Message);

        threadHeap->RemoteFrees[5]--;
        heap.Validate();
    }

    [Fact]
    public void Validate_names_an_allocation_count_below_the_blocks_in_use()
    {
        using var heap = new ArenaHeap();
        heap.Allocate(96);
        ThreadHeap* threadHeap = heap.CurrentThreadHeapOrNull();
        threadHeap->Allocations[5]--;

        var broken = Assert.Throws<InvariantViolationException>(heap.Validate);
        Assert.Contains("class 5: the thread heaps count 0 allocations but the pools hold 1 blocks in use", broken.Message);

        threadHeap->Allocations[5]++;
        heap.Validate();
    }
}

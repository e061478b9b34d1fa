namespace PooledGen.Runtime.Tests;

public unsafe class AllocationTests
{
    [Fact]
    public void Blocks_of_one_class_never_overlap_and_stay_inside_their_pools_and_arenas()
    {
        using var heap = new ArenaHeap();
        for (int c = 0; c < SizeClass.Count; c++)
        {
            int blockSize = SizeClass.BlockSize(c);

            // Enough for three pools, so that pool boundaries (and, for big blocks, arena boundaries) are crossed.
            int count = 3 * HeapTests.BlocksPerPool(blockSize);
            var blocks = new nint[count];
            for (int i = 0; i < count; i++)
            {
                byte* p = (byte*)heap.Allocate((nuint)blockSize);
                blocks[i] = (nint)p;
                new Span<byte>(p, blockSize).Fill((byte)i);
            }

            Array.Sort(blocks);
            for (int i = 0; i < count; i++)
            {
                var p = (byte*)blocks[i];
                if (i > 0)
                {
                    Assert.True(blocks[i] - blocks[i - 1] >= blockSize, $"class {c}: blocks 0x{blocks[i - 1]:X} and 0x{blocks[i]:X} overlap");
                }

                nuint arena = HeapTests.ArenaOf(p);
                nuint pool = HeapTests.PoolOf(p);
                Assert.True(ArenaRegistry.Contains(arena), $"class {c}: 0x{(nuint)p:X} is in no arena");
                Assert.True((nuint)p >= pool + Pool.HeaderSize, $"class {c}: 0x{(nuint)p:X} overlaps its pool header");
                Assert.True((nuint)p + (nuint)blockSize <= pool + (nuint)HeapGeometry.PoolSize, $"class {c}: 0x{(nuint)p:X} runs past its pool");
                if (pool == arena)
                {
                    Assert.True((nuint)p >= arena + (nuint)Arena.FirstPoolBlockOffset, $"class {c}: 0x{(nuint)p:X} overlaps the arena header");
                }
            }

            // Every block still holds what was written into it: no other block was written over it.
            var byAddress = new Dictionary<nint, int>();
            foreach (nint b in blocks)
            {
                byAddress[b] = 0;
            }

            Assert.Equal(count, byAddress.Count);
            foreach (nint b in blocks)
            {
                var span = new ReadOnlySpan<byte>((byte*)b, blockSize);
                Assert.True(span.IndexOfAnyExcept(span[0]) < 0, $"class {c}: block 0x{b:X} was overwritten");
                heap.Free((void*)b);
            }
        }

        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.All(stats.SizeClasses, s => Assert.Equal(0, s.BlocksInUse));
    }

    [Fact]
    public void Alloc_returns_zeroed_memory_even_when_the_block_is_reused()
    {
        using var heap = new ArenaHeap();
        Pooled<Bytes100> first = heap.Alloc<Bytes100>();
        new Span<byte>(first.Pointer, sizeof(Bytes100)).Fill(0xAB);
        heap.Free(first);

        Pooled<Bytes100> second = heap.Alloc<Bytes100>();
        Assert.True(first.Pointer == second.Pointer, "the freed block was not reused");
        Assert.True(new Span<byte>(second.Pointer, sizeof(Bytes100)).IndexOfAnyExcept((byte)0) < 0, "typed Alloc did not zero");
        new Span<byte>(second.Pointer, sizeof(Bytes100)).Fill(0xCD);
        heap.Free(second);

        var raw = (byte*)heap.Allocate(100);
        Assert.True(raw == (byte*)first.Pointer, "the freed block was not reused");
        Assert.True(new Span<byte>(raw, 100).IndexOfAnyExcept((byte)0) < 0, "Allocate did not zero");
        heap.Free(raw);
    }

    [Fact]
    public void Alloc_with_a_value_copies_it_into_the_block()
    {
        using var heap = new ArenaHeap();
        Pooled<Point3> p = heap.Alloc(new Point3 { X = 1, Y = 2, Z = 3 });
        Assert.Equal(2, p.Value.Y);
        heap.Free(p);
    }

    [Fact]
    public void A_freed_block_is_the_next_one_handed_out_for_its_class()
    {
        using var heap = new ArenaHeap();
        var a = (byte*)heap.Allocate(40);
        var b = (byte*)heap.Allocate(40);
        heap.Free(a);
        Assert.True(heap.Allocate(48) == a, "LIFO reuse within the class");
        heap.Free(b);
        heap.Free(a);
    }

    [Fact]
    public void Requests_over_512_bytes_take_the_large_object_path_and_are_counted()
    {
        using var heap = new ArenaHeap();
        var big = (byte*)heap.Allocate(10_000);
        Pooled<Bytes513> typed = heap.Alloc<Bytes513>();
        Assert.True((nuint)big % 16 == 0);
        Assert.True(new Span<byte>(big, 10_000).IndexOfAnyExcept((byte)0) < 0, "large blocks are zeroed too");
        Assert.Equal(0, typed.Value.First);

        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(2, stats.LargeObjectCount);
        Assert.Equal(10_000 + sizeof(Bytes513), stats.LargeObjectBytes);
        Assert.Equal(0, stats.ArenasCurrent);
        Assert.Equal(stats.LargeObjectBytes, stats.BytesReserved);
        Assert.Equal(stats.LargeObjectBytes, stats.BytesInUse);

        heap.Free(big);
        heap.Free(typed);
        stats = heap.GetStatistics();
        Assert.Equal(0, stats.LargeObjectCount);
        Assert.Equal(0, stats.BytesReserved);
    }

    [Fact]
    public void Statistics_count_pools_and_blocks_per_size_class()
    {
        using var heap = new ArenaHeap();
        int perPool = HeapTests.BlocksInFirstPool(64);
        var blocks = new List<nint>();
        for (int i = 0; i < perPool + 10; i++)
        {
            blocks.Add((nint)heap.Allocate(64));
        }

        blocks.Add((nint)heap.Allocate(16));

        PooledHeapStatistics stats = heap.GetStatistics();
        SizeClassStatistics c3 = stats.Class(3);
        Assert.Equal(64, c3.BlockSize);
        Assert.Equal(2, c3.PoolsInUse);
        Assert.Equal(perPool + 10, c3.BlocksInUse);
        Assert.Equal(HeapTests.BlocksPerPool(64) - 10, c3.BlocksFree);
        Assert.Equal(1, stats.Class(0).PoolsInUse);
        Assert.Equal(1, stats.Class(0).BlocksInUse);
        Assert.Equal(0, stats.Class(1).PoolsInUse);
        Assert.Equal(1, stats.ArenasCurrent);
        Assert.Equal(1, stats.ArenasAllocated);
        Assert.Equal(1, stats.ArenasHighWater);
        Assert.Equal(HeapGeometry.PoolsPerArena - 3, stats.FreePools);
        Assert.Equal(HeapGeometry.ArenaSize, stats.BytesReserved);
        Assert.Equal((perPool + 10) * 64 + 16, stats.BytesInUse);
        Assert.Equal(1, stats.ThreadHeaps);

        foreach (nint b in blocks)
        {
            heap.Free((void*)b);
        }

        stats = heap.GetStatistics();
        Assert.Equal(0, stats.Class(3).BlocksInUse);
        Assert.Equal(0, stats.BytesInUse);
    }

    [Fact]
    public void Zero_byte_requests_get_a_unique_block()
    {
        using var heap = new ArenaHeap();
        void* a = heap.Allocate(0);
        void* b = heap.Allocate(0);
        Assert.True(a != null && b != null && a != b);
        heap.Free(a);
        heap.Free(b);
    }

    [Fact]
    public void Null_pointer_and_null_handle_frees_do_nothing()
    {
        using var heap = new ArenaHeap();
        heap.Free((void*)null);
        heap.Free(Pooled<int>.Null);
        PooledHeap.Free((void*)null);
        PooledHeap.Free(Pooled<Point3>.Null);
        Assert.Equal(0, heap.GetStatistics().ArenasCurrent);
    }

    [Fact]
    public void A_block_freed_through_the_shared_facade_goes_back_to_the_heap_that_owns_its_arena()
    {
        using var heap = new ArenaHeap();
        Pooled<Point3> typed = heap.Alloc<Point3>();
        void* raw = heap.Allocate(200);
        Assert.Equal(2, heap.GetStatistics().SizeClasses.Sum(s => s.BlocksInUse));

        PooledHeap.Free(typed);
        PooledHeap.Free(raw);

        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(s => s.BlocksInUse));
        Assert.True(heap.Alloc<Point3>().Pointer == typed.Pointer, "the owning heap reuses the block");
    }

    [Fact]
    public void The_shared_heap_allocates_frees_and_disposes_handles()
    {
        Pooled<Point3> p = PooledHeap.Alloc(new Point3 { X = 5 });
        Assert.Equal(5, p.Value.X);
        Assert.True(ArenaRegistry.Contains(HeapTests.ArenaOf(p.Pointer)));
        p.Dispose();

        void* raw = PooledHeap.Allocate(24);
        Assert.True(ArenaRegistry.Contains(HeapTests.ArenaOf(raw)));
        PooledHeap.Free(raw);
        Assert.True(PooledHeap.GetStatistics().ArenasCurrent >= 1);
    }
}

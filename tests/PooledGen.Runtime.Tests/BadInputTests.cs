using System.Runtime.InteropServices;

namespace PooledGen.Runtime.Tests;

public unsafe class BadInputTests
{
    [Fact]
    public void Free_of_foreign_pointer_throws_and_heap_stays_valid()
    {
        using var heap = new ArenaHeap();
        var live = (long*)heap.Allocate(8);
        *live = 42;
        PooledHeapStatistics before = heap.GetStatistics();

        void* native = NativeMemory.AlignedAlloc(64, 16);
        try
        {
            var e = Assert.Throws<ArgumentException>(() => heap.Free(native));
            Assert.Contains("not allocated by PooledGen", e.Message);
            Assert.Throws<ArgumentException>(() => PooledHeap.Free(native));
        }
        finally
        {
            NativeMemory.AlignedFree(native);
        }

        long onStack = 0;
        var stackAddress = (nint)(&onStack);
        Assert.Throws<ArgumentException>(() => heap.Free((void*)stackAddress));

        AssertUnchanged(heap, before);
        Assert.Equal(42, *live);
        heap.Free(live);
        Assert.Equal(0, heap.GetStatistics().Class(0).BlocksInUse);
    }

    [Fact]
    public void Free_of_interior_or_misaligned_pointer_throws_and_heap_stays_valid()
    {
        using var heap = new ArenaHeap();
        var block = (byte*)heap.Allocate(100); // 112-byte class
        PooledHeapStatistics before = heap.GetStatistics();

        foreach (int offset in new[] { 1, 8, 16, 64, 111 })
        {
            var e = Assert.Throws<ArgumentException>(() => heap.Free(block + offset));
            Assert.Contains("not at the start of a block", e.Message);
        }

        // The pool header, the arena header and a block never handed out are refused too.
        nuint pool = HeapTests.PoolOf(block);
        Assert.Throws<ArgumentException>(() => heap.Free((void*)pool));
        Assert.Throws<ArgumentException>(() => heap.Free((void*)(HeapTests.ArenaOf(block) + (nuint)Pool.HeaderSize)));
        Assert.Throws<ArgumentException>(() => heap.Free(block + 112));

        // So is any address in a pool of the arena that serves no class.
        Assert.Throws<ArgumentException>(() => heap.Free((void*)(HeapTests.ArenaOf(block) + (nuint)(5 * HeapGeometry.PoolSize + 256))));

        AssertUnchanged(heap, before);
        heap.Free(block);
        Assert.Equal(0, heap.GetStatistics().Class(6).BlocksInUse);
    }

    [Fact]
    public void Allocation_past_the_reserved_byte_cap_throws_OutOfMemory_and_leaves_the_heap_consistent()
    {
        using var heap = new ArenaHeap(maxReservedBytes: 2L * HeapGeometry.ArenaSize);
        var blocks = new List<nint>();
        Action fillUpToTheCap = () =>
        {
            while (true)
            {
                blocks.Add((nint)heap.Allocate(512));
            }
        };
        Assert.Throws<OutOfMemoryException>(fillUpToTheCap);

        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(2 * HeapTests.BlocksPerArena(512), blocks.Count);
        Assert.Equal(2, stats.ArenasCurrent);
        Assert.Equal(2L * HeapGeometry.ArenaSize, stats.BytesReserved);
        Assert.Equal(blocks.Count, stats.Class(31).BlocksInUse);
        Assert.Equal(0, stats.Class(31).BlocksFree);

        // Still at the cap, a large block is refused too, and so is another class that needs a new pool.
        Assert.Throws<OutOfMemoryException>(() => heap.Allocate(1000));
        Assert.Throws<OutOfMemoryException>(() => heap.Allocate(16));

        // Freeing makes room again.
        heap.Free((void*)blocks[^1]);
        blocks[^1] = (nint)heap.Allocate(512);

        foreach (nint b in blocks)
        {
            heap.Free((void*)b);
        }

        heap.Trim();
        stats = heap.GetStatistics();
        Assert.Equal(0, stats.ArenasCurrent);
        Assert.Equal(0, stats.BytesReserved);
        Assert.Equal(0, stats.LargeObjectCount);

        var again = (long*)heap.Allocate(8);
        *again = 7;
        Assert.Equal(7, *again);
        heap.Free(again);
    }

    [Fact]
    public void A_large_block_past_the_cap_throws_OutOfMemory_and_is_not_counted()
    {
        using var heap = new ArenaHeap(maxReservedBytes: 100_000);
        void* first = heap.Allocate(60_000);
        Assert.Throws<OutOfMemoryException>(() => heap.Allocate(60_000));
        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(1, stats.LargeObjectCount);
        Assert.Equal(60_000, stats.BytesReserved);
        heap.Free(first);
        heap.Free(heap.Allocate(60_000));
    }

    [Fact]
    public void A_negative_cap_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ArenaHeap(-1));
        Assert.Equal("maxReservedBytes", e.ParamName);
    }

    private static void AssertUnchanged(ArenaHeap heap, PooledHeapStatistics before)
    {
        PooledHeapStatistics after = heap.GetStatistics();
        Assert.Equal(before.SizeClasses, after.SizeClasses);
        Assert.Equal(before.ArenasCurrent, after.ArenasCurrent);
        Assert.Equal(before.BytesInUse, after.BytesInUse);
        Assert.Equal(before.FreePools, after.FreePools);
    }
}

/// <summary>Requests no operating system can serve are refused with PooledGen's own message: the size and why.</summary>
public unsafe class HugeRequestTests
{
    [Theory]
    [InlineData(1UL << 48)]
    [InlineData(ulong.MaxValue / 2)]
    [InlineData(1UL << 40)]
    public void Allocate_of_a_huge_size_names_the_size_and_leaves_the_heap_unchanged(ulong size)
    {
        using var heap = new ArenaHeap();
        var e = Assert.Throws<OutOfMemoryException>(() => heap.Allocate((nuint)size));
        Assert.StartsWith("PooledGen:", e.Message);
        Assert.Contains(((nuint)size).ToString("N0", System.Globalization.CultureInfo.CurrentCulture), e.Message);
        Assert.DoesNotContain("Insufficient memory", e.Message);

        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(0, stats.LargeObjectCount);
        Assert.Equal(0, stats.BytesReserved);
        heap.Validate();

        e = Assert.Throws<OutOfMemoryException>(() => PooledHeap.Allocate((nuint)size));
        Assert.StartsWith("PooledGen:", e.Message);
    }
}

/// <summary>
/// Frees of a large block's address after the block went back, apart from the parallel tests: a large block is the
/// system allocator's, which hands a freed address out again at once, so a test running beside these could be given
/// that address in between (and then lose its block to the late free).
/// </summary>
[Collection(SharedHeapCollection.Name)]
public unsafe class FreedLargeAddressTests
{
    [Fact]
    public void Second_free_of_a_large_block_throws_and_heap_stays_valid()
    {
        using var heap = new ArenaHeap();
        void* large = heap.Allocate(4096);
        heap.Free(large);
        Assert.Throws<ArgumentException>(() => heap.Free(large));
        Assert.Equal(0, heap.GetStatistics().LargeObjectCount);
    }

    [Fact]
    public void A_disposed_heap_returns_its_arenas_and_refuses_further_use()
    {
        var heap = new ArenaHeap();
        void* p = heap.Allocate(32);
        void* large = heap.Allocate(5000);
        nuint arena = HeapTests.ArenaOf(p);
        heap.Dispose();

        Assert.False(ArenaRegistry.Contains(arena));
        Assert.Throws<ObjectDisposedException>(() => heap.Allocate(32));
        Assert.Throws<ObjectDisposedException>(() => heap.GetStatistics());
        Assert.Throws<ArgumentException>(() => PooledHeap.Free(large));
        heap.Dispose();
    }
}

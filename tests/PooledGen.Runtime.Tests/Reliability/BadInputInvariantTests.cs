using System.Runtime.InteropServices;
using CsCheck;
using Xunit.Abstractions;

namespace PooledGen.Reliability.Tests;

/// <summary>
/// Bad input on a heap that holds a few hundred blocks of every class and the large path: each is refused with a
/// clear exception (its type, and a message that names the pointer, setting or cap at fault), and afterwards the
/// heap passes the same invariants as the model and stress tests, and gives every arena back once all is freed.
/// Release heaps and private debug heaps alike, where the behaviour is the same.
/// </summary>
public unsafe class BadInputInvariantTests(ITestOutputHelper output)
{
    public static TheoryData<bool> ReleaseAndDebug() => new(false, true);

    [Theory]
    [MemberData(nameof(ReleaseAndDebug))]
    public void Free_of_a_null_handle_or_pointer_does_nothing_and_the_heap_stays_valid(bool debug)
    {
        using var heap = new ArenaHeap(0, debug);
        HeapModel model = HeapModel.Populated(heap, seed: 1);
        PooledHeapStatistics before = heap.GetStatistics();

        foreach (BlockType type in BlockType.All)
        {
            type.FreeNull(heap);
        }

        heap.Free(null);
        PooledHeap.Free(null);

        AssertSameCounts(before, heap.GetStatistics());
        HeapInvariants.Check(heap, model.Live);
        FreeAllAndCheckReturned(heap, model);
    }

    [Theory]
    [MemberData(nameof(ReleaseAndDebug))]
    public void Free_of_a_foreign_pointer_throws_ArgumentException_naming_it_and_the_heap_stays_valid(bool debug)
    {
        using var heap = new ArenaHeap(0, debug);
        HeapModel model = HeapModel.Populated(heap, seed: 2);
        void* native = NativeMemory.AlignedAlloc(4096, 64);
        long onStack = 0;
        byte[] managed = new byte[64];
        try
        {
            fixed (byte* pinned = managed)
            {
                nint[] foreign = [(nint)native, (nint)native + 64, (nint)(&onStack), (nint)pinned, unchecked((nint)0x7F00_0000_0000), unchecked((nint)0x1234_5670_0000)];
                foreach (nint pointer in foreign)
                {
                    AssertRefused<ArgumentException>(() => heap.Free((void*)pointer), pointer);
                    AssertRefused<ArgumentException>(() => PooledHeap.Free((void*)pointer), pointer);
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(native);
        }

        HeapInvariants.Check(heap, model.Live);
        FreeAllAndCheckReturned(heap, model);
    }

    [Fact]
    public void Free_of_a_pointer_into_the_first_arena_sized_range_of_the_address_space_throws_ArgumentException()
    {
        using var heap = new ArenaHeap();
        HeapModel model = HeapModel.Populated(heap, seed: 3, count: 50);
        foreach (nint pointer in new nint[] { 0x10, 0x1234, 0x2_0000 })
        {
            AssertRefused<ArgumentException>(() => heap.Free((void*)pointer), pointer);
        }

        HeapInvariants.Check(heap, model.Live);
        FreeAllAndCheckReturned(heap, model);
    }

    [Fact]
    public void Free_of_an_interior_pointer_throws_ArgumentException_naming_it_and_the_heap_stays_valid() =>
        FreeOfInteriorPointers(debug: false);

    [Fact]
    public void On_a_debug_heap_free_of_an_interior_pointer_throws_ArgumentException_naming_it() =>
        FreeOfInteriorPointers(debug: true);

    private static void FreeOfInteriorPointers(bool debug)
    {
        using var heap = new ArenaHeap(0, debug);
        HeapModel model = HeapModel.Populated(heap, seed: 4);
        int refused = 0;
        foreach (LiveBlock block in model.Live.Where((_, i) => i % 5 == 0))
        {
            foreach (int offset in new[] { 1, 8, block.Extent / 2, block.Extent - 1 }.Where(o => o > 0 && o < block.Extent).Distinct())
            {
                AssertRefused<ArgumentException>(() => heap.Free((void*)(block.Address + offset)), block.Address + offset);
                refused++;
            }
        }

        Assert.True(refused > 100, $"only {refused} interior pointers tried");
        HeapInvariants.Check(heap, model.Live);
        FreeAllAndCheckReturned(heap, model);
    }

    [Fact]
    public void A_second_free_of_a_large_block_throws_ArgumentException_naming_it_and_the_heap_stays_valid()
    {
        using var heap = new ArenaHeap();
        HeapModel model = HeapModel.Populated(heap, seed: 5);
        foreach (Allocation large in model.Allocations.Where(a => a.Block.IsLarge).Take(20).ToList())
        {
            large.CheckAndFree(heap, FreeRoute.Untyped);
            model.Forget(large);
            var e = AssertRefused<ArgumentException>(() => heap.Free((void*)large.Block.Address), large.Block.Address);
            Assert.Contains("already freed", e.Message);
            HeapInvariants.Check(heap, model.Live);
        }

        FreeAllAndCheckReturned(heap, model);
    }

    /// <summary>
    /// Release mode catches a second free when the block's pool has gone back to its arena; a second free into a pool
    /// still in use is undetectable without debug mode (the next test).
    /// </summary>
    [Fact]
    public void A_second_free_into_a_pool_returned_to_its_arena_throws_ArgumentException_naming_it()
    {
        using var heap = new ArenaHeap();
        int perPool = PooledGen.Runtime.Tests.HeapTests.BlocksPerPool(512);
        var blocks = Enumerable.Range(0, 3 * perPool).Select(i => Allocation.Untyped(heap, 512, i)).ToList();
        Allocation kept = blocks[^1]; // keeps its pool, and so the arena, in use
        foreach (Allocation block in blocks.Take(blocks.Count - 1))
        {
            block.CheckAndFree(heap, FreeRoute.OwnHeap);
        }

        HeapInvariants.Check(heap, [kept.Block]);
        foreach (Allocation freed in new[] { blocks[0], blocks[perPool / 2], blocks[perPool + 1] })
        {
            AssertRefused<ArgumentException>(() => heap.Free((void*)freed.Block.Address), freed.Block.Address);
        }

        HeapInvariants.Check(heap, [kept.Block]);
        kept.CheckAndFree(heap, FreeRoute.OwnHeap);
        HeapInvariants.CheckEverythingReturned(heap);
    }

    [Fact]
    public void On_a_debug_heap_every_second_free_throws_ObjectDisposedException_naming_the_block_and_the_heap_stays_valid()
    {
        using var heap = new ArenaHeap(0, debug: true);
        HeapModel model = HeapModel.Populated(heap, seed: 6);
        FreeRoute[] routes = Enum.GetValues<FreeRoute>();
        int i = 0;
        foreach (Allocation victim in model.Allocations.Where((_, n) => n % 4 == 0).ToList())
        {
            victim.CheckAndFree(heap, routes[i++ % routes.Length]);
            model.Forget(victim);
            FreeRoute again = routes[(i++ + 1) % routes.Length];
            Exception e = Assert.ThrowsAny<Exception>(() => victim.Free(heap, again));
            Assert.Contains($"0x{victim.Block.Address:X}", e.Message);
            if (e is not ObjectDisposedException)
            {
                // Without a handle's stamp, a large debug block whose memory went back to the operating system can
                // only be said to be no live block ("not allocated by PooledGen", "or already freed").
                Assert.True(victim.IsUntyped || again == FreeRoute.Untyped, $"a typed second free gave {e}");
                Assert.Matches("not allocated by PooledGen|already freed", Assert.IsType<ArgumentException>(e).Message);
            }
            else
            {
                Assert.Contains("double free", e.Message);
            }

            HeapInvariants.Check(heap, model.Live);
        }

        FreeAllAndCheckReturned(heap, model);
    }

    [Fact]
    public void On_a_debug_heap_a_stale_handle_to_a_quarantined_block_is_refused_and_the_new_owner_keeps_its_block()
    {
        using var heap = new ArenaHeap(0, debug: true);
        HeapModel model = HeapModel.Populated(heap, seed: 7, count: 100);
        Pooled<long> stale = heap.Alloc<long>();
        heap.Free(stale);
        Pooled<long> reused = heap.Alloc<long>();
        Assert.NotEqual((nint)stale.Pointer, (nint)reused.Pointer); // the freed block waits in the debug heap's quarantine
        reused.Value = 42;

        var e = AssertRefused<ObjectDisposedException>(() => heap.Free(stale), (nint)stale.Pointer);
        Assert.Contains("double free", e.Message);
        Assert.Equal("Pooled<Int64>", e.ObjectName);
        Assert.Equal(42, reused.Value);
        heap.Free(reused);
        HeapInvariants.Check(heap, model.Live);
        FreeAllAndCheckReturned(heap, model);
    }

    [Fact]
    public void A_debug_heaps_handle_freed_through_the_facade_is_freed_or_refused_clearly()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes512> handle = heap.Alloc<Bytes512>();
        PooledHeap.Free(handle);
        Assert.Empty(heap.GetLiveAllocations());
        HeapInvariants.CheckEverythingReturned(heap);
    }

    [Theory]
    [MemberData(nameof(ReleaseAndDebug))]
    public void At_the_cap_every_allocation_throws_OutOfMemoryException_naming_the_cap_and_freeing_makes_room(bool debug)
    {
        long cap = 3L * HeapGeometry.ArenaSize + 10_000;
        using var heap = new ArenaHeap(cap, debug);
        var model = new HeapModel(heap);
        var random = new Random(8);
        OutOfMemoryException? refusal = null;
        for (int i = 0; refusal is null; i++)
        {
            try
            {
                model.Apply(random.Next(3) == 0
                    ? new Step(StepKind.AllocTyped, random.Next(BlockType.All.Length), 0)
                    : new Step(StepKind.Allocate, random.Next(1, 2049), 0));
            }
            catch (OutOfMemoryException e)
            {
                refusal = e;
            }
        }

        Assert.Contains($"cap of {cap} bytes", refusal.Message);
        HeapInvariants.Check(heap, model.Live);
        Assert.True(heap.GetStatistics().BytesReserved <= cap);

        // Still at the cap, a request of each kind that needs new memory is refused the same way: a large block one byte
        // over the room left (the refusal above may have been a new arena's, with up to an arena of room left), and one
        // the size of the cap.
        long room = cap - heap.GetStatistics().BytesReserved;
        foreach (nuint size in new nuint[] { (nuint)Math.Max(room + 1, PooledHeap.SmallObjectThreshold + 1), (nuint)cap })
        {
            var e = Assert.Throws<OutOfMemoryException>(() => heap.Allocate(size));
            Assert.Contains($"cap of {cap} bytes", e.Message);
        }

        HeapInvariants.Check(heap, model.Live);

        // Freeing half makes room: the same mix allocates again.
        model.Apply(new Step(StepKind.FreeEvery, 2, 0));
        model.Apply(new Step(StepKind.Allocate, 700, 0));
        model.Apply(new Step(StepKind.AllocTyped, 0, 0));
        HeapInvariants.Check(heap, model.Live);
        FreeAllAndCheckReturned(heap, model);
    }

    [Theory]
    [MemberData(nameof(ReleaseAndDebug))]
    public void A_request_larger_than_the_address_space_throws_OutOfMemoryException_naming_the_cap(bool debug)
    {
        // A cap of four arenas, room for the twenty blocks of the model and their pools.
        using var heap = new ArenaHeap(4L * HeapGeometry.ArenaSize, debug);
        HeapModel model = HeapModel.Populated(heap, seed: 9, count: 20);
        foreach (nuint size in new[] { nuint.MaxValue, unchecked((nuint)long.MaxValue + 1), unchecked((nuint)long.MaxValue) })
        {
            var e = Assert.Throws<OutOfMemoryException>(() => heap.Allocate(size));
            Assert.Contains("cap of", e.Message);
        }

        HeapInvariants.Check(heap, model.Live);
        FreeAllAndCheckReturned(heap, model);
    }

    [Fact]
    public void Use_of_a_disposed_heap_throws_ObjectDisposedException_naming_the_heap()
    {
        var heap = new ArenaHeap();
        heap.Free(heap.Allocate(64));
        heap.Dispose();
        Assert.Equal(nameof(ArenaHeap), Assert.Throws<ObjectDisposedException>(() => heap.Allocate(16)).ObjectName);
        Assert.Equal(nameof(ArenaHeap), Assert.Throws<ObjectDisposedException>(() => heap.Alloc<long>()).ObjectName);
        Assert.Equal(nameof(ArenaHeap), Assert.Throws<ObjectDisposedException>(() => heap.GetStatistics()).ObjectName);
    }

    /// <summary>
    /// Options against an oracle written from their documentation: valid exactly when both sizes are powers of two in
    /// range, an arena holds two to 4096 pools and the cap is not negative; otherwise an ArgumentOutOfRangeException
    /// whose parameter is the setting at fault and whose message names it and its value.
    /// </summary>
    [Fact]
    public void Options_are_valid_exactly_when_the_documentation_says_and_otherwise_name_the_setting()
    {
        Gen<int> size = Gen.Frequency(
            (3, Gen.Int[12, 30].Select(bits => 1 << bits)),
            (1, Gen.OneOf(0, -1, 1, int.MinValue, int.MaxValue, 300_000, 3 << 12, 1 << 31)),
            (1, Gen.Int));
        Gen<long> cap = Gen.Frequency((3, Gen.Long[0, 1L << 40]), (1, Gen.OneOf(-1L, long.MinValue, long.MaxValue)));
        Gen.Select(size, size, cap).Sample((arena, pool, maxReserved) =>
        {
            var options = new PooledHeapOptions { ArenaSize = arena, PoolSize = pool, MaxReservedBytes = maxReserved };
            bool valid = IsPowerOfTwoIn(arena, PooledHeapOptions.MinArenaSize, PooledHeapOptions.MaxArenaSize)
                && IsPowerOfTwoIn(pool, PooledHeapOptions.MinPoolSize, PooledHeapOptions.MaxPoolSize)
                && pool <= arena / 2 && arena / pool <= PooledHeapOptions.MaxPoolsPerArena && maxReserved >= 0;
            Exception? e = Record.Exception(options.Validate);
            if (valid)
            {
                Assert.Null(e);
                return;
            }

            var refusal = Assert.IsType<ArgumentOutOfRangeException>(e);
            Assert.Contains(refusal.ParamName, new[] { nameof(options.ArenaSize), nameof(options.PoolSize), nameof(options.MaxReservedBytes) });
            Assert.Contains(refusal.ParamName!, refusal.Message);
            Assert.Contains(refusal.ActualValue!.ToString()!, refusal.Message);
        }, writeLine: output.WriteLine, iter: 2000);
    }

    [Fact]
    public void A_switch_of_any_text_is_read_or_refused_naming_the_switch()
    {
        Gen<string> text = Gen.Frequency(
            (2, Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            (2, Gen.Int[12, 30].Select(bits => (1L << bits).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            (1, Gen.String),
            (1, Gen.OneOf("", " ", "16k", "0x4000", "1e5", "65536 ", "-0", "99999999999999999999", "\u0663")));
        Gen.Select(text, Gen.Int[0, 2]).Sample((value, which) =>
        {
            string variable = new[] { "POOLEDGEN_ARENA_SIZE", "POOLEDGEN_POOL_SIZE", "POOLEDGEN_MAX_RESERVED_BYTES" }[which];
            Exception? e = Record.Exception(() => PooledHeapOptions.FromSwitches(_ => null, name => name == variable ? value : null));
            if (e is not null)
            {
                // Not a number, or out of range: either way the variable and what it holds are named.
                Assert.Contains($"the environment variable {variable} is '{value}'", Assert.IsType<InvalidOperationException>(e).Message);
            }
        }, writeLine: output.WriteLine, iter: 2000);
    }

    private static bool IsPowerOfTwoIn(int value, int min, int max) => value >= min && value <= max && (value & (value - 1)) == 0;

    /// <summary>Asserts the exact exception type and that its message names the pointer, as 0x... in hexadecimal.</summary>
    private static T AssertRefused<T>(Action free, nint pointer) where T : Exception
    {
        T e = Assert.Throws<T>(free);
        Assert.Contains($"0x{pointer:X}", e.Message);
        Assert.Contains("PooledGen", e.Message);
        return e;
    }

    private static void AssertSameCounts(PooledHeapStatistics before, PooledHeapStatistics after)
    {
        Assert.Equal(before.SizeClasses, after.SizeClasses);
        Assert.Equal(before.LargeObjectCount, after.LargeObjectCount);
        Assert.Equal(before.ArenasCurrent, after.ArenasCurrent);
        Assert.Equal(before.BytesInUse, after.BytesInUse);
    }

    private static void FreeAllAndCheckReturned(ArenaHeap heap, HeapModel model)
    {
        model.Apply(new Step(StepKind.FreeEvery, 1, 0));
        HeapInvariants.CheckEverythingReturned(heap);
    }
}

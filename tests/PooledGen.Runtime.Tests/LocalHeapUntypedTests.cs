namespace PooledGen.Runtime.Tests;

/// <summary>A LocalHeap's untyped members: calloc, malloc, the checked free and the sized, trusting free.</summary>
public unsafe class LocalHeapUntypedTests
{
    [Fact]
    public void Allocate_zeroes_AllocateUninitialized_serves_the_same_classes_and_both_frees_return_every_block()
    {
        using var heap = new ArenaHeap();
        LocalHeap local = heap.Local;
        var blocks = new List<(nint Block, nuint Size)>();
        for (nuint size = 0; size <= 600; size += 13)
        {
            var zeroed = (byte*)local.Allocate(size);
            Assert.True(new ReadOnlySpan<byte>(zeroed, (int)size).IndexOfAnyExcept((byte)0) < 0);
            new Span<byte>(zeroed, (int)size).Fill(0xAB);
            blocks.Add(((nint)zeroed, size));
            blocks.Add(((nint)local.AllocateUninitialized(size), size));
        }

        for (int i = 0; i < blocks.Count; i++)
        {
            if (i % 2 == 0)
            {
                local.Free((void*)blocks[i].Block);
            }
            else
            {
                local.FreeUnchecked((void*)blocks[i].Block, blocks[i].Size);
            }
        }

        local.FreeUnchecked(null, 16);
        PooledHeapStatistics stats = heap.GetStatistics();
        Assert.Equal(0, stats.SizeClasses.Sum(c => c.BlocksInUse));
        Assert.Equal(0, stats.LargeObjectCount);
        heap.Validate();
    }

    [Fact]
    public void The_checked_free_refuses_a_foreign_or_interior_pointer_that_the_sized_free_would_trust()
    {
        using var heap = new ArenaHeap();
        LocalHeap local = heap.Local;
        var block = (byte*)local.Allocate(64);
        Assert.Throws<ArgumentException>(() => FreeThrough(heap, block + 16));
        var foreign = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(64);
        Assert.Throws<ArgumentException>(() => FreeThrough(heap, foreign));
        System.Runtime.InteropServices.NativeMemory.Free(foreign);
        local.FreeUnchecked(block, 64);
        heap.Validate();

        static void FreeThrough(ArenaHeap heap, byte* pointer) => heap.Local.Free(pointer);
    }

    [Fact]
    public void A_block_freed_unchecked_on_another_thread_goes_back_to_its_owner()
    {
        using var heap = new ArenaHeap();
        var blocks = Enumerable.Range(0, 2000).Select(i => (nint)heap.Local.AllocateUninitialized((nuint)(16 + i % 400))).ToArray();
        HeapTests.OnNewThread(() =>
        {
            LocalHeap local = heap.Local;
            for (int i = 0; i < blocks.Length; i++)
            {
                local.FreeUnchecked((void*)blocks[i], (nuint)(16 + i % 400));
            }

            heap.DetachCurrentThread();
        });

        Assert.Equal(0, heap.GetStatistics().SizeClasses.Sum(c => c.BlocksInUse));
        heap.Validate();
    }
}

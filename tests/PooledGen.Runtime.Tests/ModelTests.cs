using CsCheck;

namespace PooledGen.Runtime.Tests;

public unsafe class ModelTests
{
    /// <summary>
    /// Random sequences of allocations (1 to 700 bytes: every small class and the large path) and frees, checked
    /// against a list of live blocks: contents intact, no overlap, statistics equal to the model's counts, and every
    /// arena returned at the end. CsCheck shrinks a failing sequence to a short one.
    /// </summary>
    [Fact]
    public void Random_alloc_and_free_sequences_agree_with_a_model_of_live_blocks()
    {
        Gen.Int[0, 999].Array[1, 600].Sample(operations =>
        {
            using var heap = new ArenaHeap();
            var live = new List<(nint Block, int Size, byte Fill)>();
            byte fill = 0;
            foreach (int operation in operations)
            {
                if (operation < 700 || live.Count == 0)
                {
                    int size = operation % 700 + 1;
                    var p = (byte*)heap.Allocate((nuint)size);
                    Assert.True(new ReadOnlySpan<byte>(p, size).IndexOfAnyExcept((byte)0) < 0, "a new block is not zeroed");
                    new Span<byte>(p, size).Fill(++fill);
                    live.Add(((nint)p, size, fill));
                }
                else
                {
                    int i = operation % live.Count;
                    (nint block, int size, byte expected) = live[i];
                    Assert.True(new ReadOnlySpan<byte>((byte*)block, size).IndexOfAnyExcept(expected) < 0, $"block 0x{block:X} was overwritten");
                    heap.Free((void*)block);
                    live[i] = live[^1];
                    live.RemoveAt(live.Count - 1);
                }
            }

            var byAddress = live.OrderBy(b => b.Block).ToList();
            for (int i = 1; i < byAddress.Count; i++)
            {
                Assert.True(byAddress[i - 1].Block + byAddress[i - 1].Size <= byAddress[i].Block, "two live blocks overlap");
            }

            PooledHeapStatistics stats = heap.GetStatistics();
            for (int c = 0; c < SizeClass.Count; c++)
            {
                Assert.Equal(live.Count(b => b.Size <= 512 && SizeClass.Of((nuint)b.Size) == c), stats.Class(c).BlocksInUse);
            }

            Assert.Equal(live.Count(b => b.Size > 512), stats.LargeObjectCount);
            Assert.Equal(live.Where(b => b.Size > 512).Sum(b => (long)b.Size), stats.LargeObjectBytes);

            foreach ((nint block, int size, byte expected) in live)
            {
                Assert.True(new ReadOnlySpan<byte>((byte*)block, size).IndexOfAnyExcept(expected) < 0, $"block 0x{block:X} was overwritten");
                heap.Free((void*)block);
            }

            heap.Trim();
            stats = heap.GetStatistics();
            Assert.Equal(0, stats.ArenasCurrent);
            Assert.Equal(0, stats.BytesReserved);
        }, iter: 300);
    }
}

using System.Runtime.Intrinsics;

namespace PooledGen.Runtime.Tests;

public unsafe class SizeClassTests
{
    [Fact]
    public void There_are_32_classes_spaced_16_bytes_apart_up_to_512()
    {
        Assert.Equal(32, SizeClass.Count);
        for (int n = 1; n <= PooledHeap.SmallObjectThreshold; n++)
        {
            int c = SizeClass.Of((nuint)n);
            Assert.Equal((n - 1) >> 4, c);
            int blockSize = SizeClass.BlockSize(c);
            Assert.True(blockSize >= n && blockSize - n < 16, $"size {n}: block {blockSize}");
        }

        Assert.Equal(16, SizeClass.BlockSize(0));
        Assert.Equal(512, SizeClass.BlockSize(31));
    }

    [Fact]
    public void A_block_is_never_smaller_than_the_runtime_size_of_the_struct()
    {
        AssertFits<byte>();
        AssertFits<Bytes17>();
        AssertFits<Bytes100>();
        AssertFits<Bytes512>();
        AssertFits<WithVector256>();
        AssertFits<Point3>();

        static void AssertFits<T>() where T : unmanaged
        {
            Assert.False(BlockLayout<T>.IsLarge);
            Assert.True(SizeClass.BlockSize(BlockLayout<T>.Class) >= sizeof(T), typeof(T).Name);
        }
    }

    [Fact]
    public void Struct_alignment_is_measured_from_its_layout()
    {
        Assert.Equal(1, BlockLayout<byte>.Alignment);
        Assert.Equal(8, BlockLayout<Point3>.Alignment);
        Assert.Equal(32, BlockLayout<WithVector256>.Alignment);
    }

    [Fact]
    public void Structs_over_512_bytes_take_the_large_object_path()
    {
        Assert.False(BlockLayout<Bytes512>.IsLarge);
        Assert.True(BlockLayout<Bytes513>.IsLarge);
    }

    [Fact]
    public void Every_class_hands_out_blocks_aligned_to_16_and_to_the_power_of_two_in_its_size()
    {
        using var heap = new ArenaHeap();
        var blocks = new List<nint>();
        for (int size = 1; size <= PooledHeap.SmallObjectThreshold; size++)
        {
            // Several per class, so that blocks past the first of a pool are checked too.
            for (int i = 0; i < 3; i++)
            {
                byte* p = (byte*)heap.Allocate((nuint)size);
                blocks.Add((nint)p);
                int blockSize = SizeClass.BlockSize(SizeClass.Of((nuint)size));
                int expected = Math.Min(blockSize & -blockSize, SizeClass.MaxBlockAlignment);
                Assert.True((nuint)p % 16 == 0, $"size {size}: 0x{(nuint)p:X} is not 16-byte aligned");
                Assert.True((nuint)p % (nuint)expected == 0, $"size {size}: 0x{(nuint)p:X} is not {expected}-byte aligned");
            }
        }

        foreach (nint p in blocks)
        {
            heap.Free((void*)p);
        }
    }

    [Fact]
    public void A_struct_holding_a_Vector256_gets_blocks_aligned_to_32()
    {
        using var heap = new ArenaHeap();
        var handles = new List<Pooled<WithVector256>>();
        for (int i = 0; i < 2000; i++)
        {
            Pooled<WithVector256> h = heap.Alloc<WithVector256>();
            Assert.True((nuint)h.Pointer % 32 == 0, $"0x{(nuint)h.Pointer:X} is not 32-byte aligned");
            h.Value.Lanes = Vector256.Create((float)i);
            handles.Add(h);
        }

        for (int i = 0; i < handles.Count; i++)
        {
            Assert.Equal(Vector256.Create((float)i), handles[i].Value.Lanes);
            heap.Free(handles[i]);
        }
    }

    [Fact]
    public void A_struct_holding_a_Vector512_gets_blocks_aligned_to_its_own_alignment()
    {
        int alignment = BlockLayout<WithVector512>.Alignment;
        Assert.Equal(64, alignment);
        Assert.False(BlockLayout<WithVector512>.IsLarge);
        using var heap = new ArenaHeap();
        var handles = Enumerable.Range(0, 600).Select(_ => heap.Alloc<WithVector512>()).ToList();
        Assert.All(handles, h => Assert.True((nuint)h.Pointer % (nuint)alignment == 0, $"0x{(nuint)h.Pointer:X} is not {alignment}-byte aligned"));
        handles.ForEach(heap.Free);
    }

    [Fact]
    public void A_large_struct_keeps_its_alignment_on_the_large_object_path()
    {
        Assert.True(BlockLayout<Vector256x20>.IsLarge);
        Assert.Equal(32, BlockLayout<Vector256x20>.Alignment);
        using var heap = new ArenaHeap();
        var handles = Enumerable.Range(0, 50).Select(_ => heap.Alloc<Vector256x20>()).ToList();
        Assert.All(handles, h => Assert.True((nuint)h.Pointer % 32 == 0, $"0x{(nuint)h.Pointer:X} is not 32-byte aligned"));
        Assert.Equal(50, heap.GetStatistics().LargeObjectCount);
        handles.ForEach(heap.Free);
        Assert.Equal(0, heap.GetStatistics().LargeObjectCount);
    }
}

/// <summary>The untyped free's check of a pointer: a multiply by the class's reciprocal, exactly the old division.</summary>
public unsafe class BlockStartTests
{
    [Fact]
    public void IsBlockStart_agrees_with_the_division_for_every_class_and_offset_of_the_largest_pool()
    {
        var header = (Pool*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(Pool.HeaderSize, 64);
        try
        {
            const int largestPool = PooledHeapOptions.MaxPoolSize;
            foreach (int first in new[] { Pool.HeaderSize, Arena.FirstPoolBlockOffset })
            {
                for (int c = 0; c < SizeClass.Count; c++)
                {
                    int blockSize = SizeClass.BlockSize(c);
                    header->SizeClass = (byte)c;
                    header->BlockSize = (ushort)blockSize;
                    header->BlockReciprocal = (1UL << 32) / (ulong)(c + 1) + 1;
                    header->FirstOffset = first;
                    header->NextOffset = first + (largestPool - first) / blockSize * blockSize;
                    for (int offset = 0; offset < largestPool; offset += 8)
                    {
                        bool expected = offset >= first && offset < header->NextOffset && (offset - first) % blockSize == 0;
                        Assert.True(expected == Pool.IsBlockStart(header, (byte*)header + offset), $"class {c}, offset {offset}");
                    }
                }
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(header);
        }
    }
}

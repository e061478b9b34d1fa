using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

// Fields of these structs give them their size and alignment; they are written through pointers, not by name.
#pragma warning disable CS0649

namespace PooledGen.Reliability;

/// <summary>How a test frees a block: each entry point must send it back to the heap that owns it.</summary>
internal enum FreeRoute
{
    /// <summary><c>heap.Free(handle)</c> for a typed block, <c>heap.Free(void*)</c> for an untyped one.</summary>
    OwnHeap,

    /// <summary>The static <see cref="PooledHeap"/> facade, which finds the owning heap from the block's arena.</summary>
    Facade,

    /// <summary><c>heap.Free(void*)</c> even for a typed block: the checked, untyped path.</summary>
    Untyped,

    /// <summary>Another heap's <c>Free</c> (<see cref="Allocation.Bystander"/>): the block must still go back to its own heap.</summary>
    OtherHeap,
}

/// <summary>
/// A block handed out by a heap, with what the test wrote into it and how to give it back. A class, so that one can
/// be passed between threads through queues and slots whatever type it was allocated as.
/// </summary>
internal abstract unsafe class Allocation(LiveBlock block)
{
    /// <summary>The number of <see cref="FreeRoute"/>s, for random choices.</summary>
    public const int RouteCount = 4;

    /// <summary>A heap that allocates nothing: tests free other heaps' blocks through it. Never disposed.</summary>
    public static readonly ArenaHeap Bystander = new();

    /// <summary>Where the block is and the pattern it must hold.</summary>
    public LiveBlock Block { get; } = block;

    /// <summary>True for a block from <see cref="ArenaHeap.Allocate(nuint)"/>, which has no handle.</summary>
    public bool IsUntyped => this is UntypedAllocation;

    /// <summary>
    /// Allocates <paramref name="size"/> bytes with <see cref="ArenaHeap.Allocate(nuint)"/>, checks that they are
    /// zeroed, and writes the pattern of <paramref name="serial"/>.
    /// </summary>
    public static Allocation Untyped(ArenaHeap heap, int size, long serial)
    {
        var address = (nint)heap.Allocate((nuint)size);
        return new UntypedAllocation(Prepare(address, size, 16, size > PooledHeap.SmallObjectThreshold, serial));
    }

    /// <summary>Checks the block's pattern, then frees it by <paramref name="route"/>.</summary>
    public void CheckAndFree(ArenaHeap heap, FreeRoute route)
    {
        HeapInvariants.CheckPattern(Block);
        Free(heap, route);
    }

    /// <summary>Frees the block without checking it (for bad-input tests that free twice).</summary>
    public abstract void Free(ArenaHeap heap, FreeRoute route);

    /// <summary>Checks that a new block is zeroed, then writes its pattern.</summary>
    internal static LiveBlock Prepare(nint address, int size, int alignment, bool isLarge, long serial)
    {
        var block = new LiveBlock(address, size, alignment, isLarge, HeapInvariants.Cookie(serial));
        int nonZero = new ReadOnlySpan<byte>((void*)address, size).IndexOfAnyExcept((byte)0);
        if (nonZero >= 0)
        {
            throw new HeapInvariantException($"new block {block} is not zeroed: byte {nonZero} is 0x{((byte*)address)[nonZero]:X2}");
        }

        HeapInvariants.Fill(address, size, block.Cookie);
        return block;
    }

    private sealed class UntypedAllocation(LiveBlock block) : Allocation(block)
    {
        public override void Free(ArenaHeap heap, FreeRoute route)
        {
            switch (route)
            {
                case FreeRoute.Facade:
                    PooledHeap.Free((void*)Block.Address);
                    break;
                case FreeRoute.OtherHeap:
                    Bystander.Free((void*)Block.Address);
                    break;
                default:
                    heap.Free((void*)Block.Address);
                    break;
            }
        }
    }
}

/// <summary>A struct type the tests allocate with <see cref="ArenaHeap.Alloc{T}()"/>: its size, alignment and path.</summary>
internal abstract class BlockType
{
    /// <summary>
    /// Types over the small classes (1, 16, 24, 33, 64, 96, 100, 448 and 512 bytes, aligned 1 to 64) and the large
    /// path (513 and 2048 bytes, and 640 bytes aligned to 32).
    /// </summary>
    public static readonly BlockType[] All =
    [
        new BlockType<OneByte>(), new BlockType<Vector128<byte>>(), new BlockType<Triple>(), new BlockType<Bytes33>(),
        new BlockType<Vector512<float>>(), new BlockType<Vector256x3>(), new BlockType<Bytes100>(), new BlockType<Vector512x7>(),
        new BlockType<Bytes512>(), new BlockType<Bytes513>(), new BlockType<Bytes2048>(), new BlockType<Vector256x20>(),
    ];

    /// <summary>The type's name, for messages.</summary>
    public abstract string Name { get; }

    /// <summary><c>sizeof(T)</c>.</summary>
    public abstract int Size { get; }

    /// <summary>The type's alignment, which its block must honour.</summary>
    public abstract int Alignment { get; }

    /// <summary>True when the heap serves it from the large-object path.</summary>
    public bool IsLarge => Size > PooledHeap.SmallObjectThreshold || Alignment > 64;

    /// <summary>Allocates a <c>default(T)</c>, checks it is zeroed and writes the pattern of <paramref name="serial"/>.</summary>
    public abstract Allocation Allocate(ArenaHeap heap, long serial);

    /// <summary>Frees <c>Pooled&lt;T&gt;.Null</c> through every entry point: each must do nothing.</summary>
    public abstract void FreeNull(ArenaHeap heap);

    public override string ToString() => $"{Name} ({Size} bytes, align {Alignment})";
}

/// <summary>The typed allocation and free paths for <typeparamref name="T"/>, whose size class is a JIT constant.</summary>
internal sealed unsafe class BlockType<T> : BlockType where T : unmanaged
{
    public override string Name => typeof(T).Name;

    public override int Size => sizeof(T);

    public override int Alignment => sizeof(AlignmentProbe) - sizeof(T);

    public override Allocation Allocate(ArenaHeap heap, long serial)
    {
        Pooled<T> handle = heap.Alloc<T>();
        return new TypedAllocation(handle, Allocation.Prepare((nint)handle.Pointer, Size, Alignment, IsLarge, serial));
    }

    public override void FreeNull(ArenaHeap heap)
    {
        heap.Free(Pooled<T>.Null);
        PooledHeap.Free(Pooled<T>.Null);
        Pooled<T>.Null.Dispose();
    }

    private struct AlignmentProbe
    {
        public byte Lead;
        public T Value;
    }

    private sealed class TypedAllocation(Pooled<T> handle, LiveBlock block) : Allocation(block)
    {
        public override void Free(ArenaHeap heap, FreeRoute route)
        {
            switch (route)
            {
                case FreeRoute.OwnHeap:
                    heap.Free(handle);
                    break;
                case FreeRoute.Facade:
                    PooledHeap.Free(handle);
                    break;
                case FreeRoute.OtherHeap:
                    Bystander.Free(handle);
                    break;
                default:
                    heap.Free(handle.Pointer);
                    break;
            }
        }
    }
}

internal struct OneByte
{
    public byte Value;
}

internal struct Triple
{
    public double X, Y, Z;
}

[StructLayout(LayoutKind.Sequential, Size = 33)]
internal struct Bytes33
{
    public byte First;
}

[StructLayout(LayoutKind.Sequential, Size = 100)]
internal struct Bytes100
{
    public int First;
}

[StructLayout(LayoutKind.Sequential, Size = 512)]
internal struct Bytes512
{
    public long First;
}

[StructLayout(LayoutKind.Sequential, Size = 513)]
internal struct Bytes513
{
    public long First;
}

[StructLayout(LayoutKind.Sequential, Size = 2048)]
internal struct Bytes2048
{
    public long First;
}

/// <summary>96 bytes aligned to 32.</summary>
[InlineArray(3)]
internal struct Vector256x3
{
    private Vector256<float> _element;
}

/// <summary>448 bytes aligned to 64.</summary>
[InlineArray(7)]
internal struct Vector512x7
{
    private Vector512<float> _element;
}

/// <summary>640 bytes aligned to 32: the large path must keep the alignment.</summary>
[InlineArray(20)]
internal struct Vector256x20
{
    private Vector256<float> _element;
}

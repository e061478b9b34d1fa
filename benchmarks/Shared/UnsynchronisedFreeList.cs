using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PooledGen.Benchmarks.Shared;

// Compiled into both benchmark programs, each of which wraps it in its own allocator interface.

/// <summary>
/// The floor: an unsynchronised singly linked free list in static fields, its blocks carved from NativeMemory slabs
/// that are never given back. No thread safety, no size classes, no zeroing, no statistics: what an allocator costs
/// when it does nothing but pop and push. One list per payload type (a generic static); one thread only.
/// </summary>
/// <typeparam name="T">The payload, which fixes the block size.</typeparam>
internal static unsafe class UnsynchronisedFreeList<T> where T : unmanaged
{
    private const int BlocksPerSlab = 4096;

    private static byte* s_head;
    private static byte* s_carve;
    private static byte* s_carveEnd;

    /// <summary>Pops a block (its contents undefined), carving a new one when the list is empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Pop()
    {
        var block = s_head;
        if (block == null)
        {
            return Carve();
        }

        s_head = *(byte**)block;
        return block;
    }

    /// <summary>Pushes a block back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Push(void* block)
    {
        *(byte**)block = s_head;
        s_head = (byte*)block;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte* Carve()
    {
        if (s_carve == s_carveEnd)
        {
            var slab = (nuint)BlocksPerSlab * (nuint)sizeof(T);
            s_carve = (byte*)NativeMemory.AlignedAlloc(slab, 64);
            s_carveEnd = s_carve + slab;
        }

        var block = s_carve;
        s_carve += sizeof(T);
        return block;
    }
}

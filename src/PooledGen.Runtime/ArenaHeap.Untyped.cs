using System;
using System.Runtime.InteropServices;

namespace PooledGen;

// The untyped entry points, C's calloc, malloc and free: a size instead of a type, so the class is computed per call,
// and a pointer instead of a handle, so a free checks the pointer (is it in one of our arenas, at the start of a live
// block?) before it reads anything through it.
public sealed unsafe partial class ArenaHeap
{
    /// <summary>Allocates <paramref name="size"/> zeroed bytes, at least 16-byte aligned, from this heap.</summary>
    /// <param name="size">The number of bytes; 0 gives a unique 16-byte block.</param>
    /// <returns>The block; free it with <see cref="Free(void*)"/>.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the cap, refused the memory.</exception>
    public void* Allocate(nuint size) =>
        _debug ? AllocateDebug(size, SizeClass.Spacing, null, out _) : AllocateUntyped(size);

    /// <summary>
    /// Allocates <paramref name="size"/> bytes whose contents are undefined (C's <c>malloc</c>, where
    /// <see cref="Allocate(nuint)"/> is <c>calloc</c>), at least 16-byte aligned: for a caller that writes every byte
    /// before it reads any. A debug heap still zeroes them.
    /// </summary>
    /// <param name="size">The number of bytes; 0 gives a unique 16-byte block.</param>
    /// <returns>The block; free it with <see cref="Free(void*)"/>.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the cap, refused the memory.</exception>
    public void* AllocateUninitialized(nuint size) => AllocateUninitializedOn(_debug ? null : CurrentThreadHeapOrNull(), size);

    /// <summary>Frees a block from <see cref="Allocate(nuint)"/> (of any PooledGen heap). A null pointer is ignored.</summary>
    /// <param name="pointer">The block.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="pointer"/> was not handed out by PooledGen, or points inside a block rather than at its start;
    /// nothing is freed and the heap is unchanged.
    /// </exception>
    /// <exception cref="PoolCorruptionException">Debug mode: a guard byte around the block was overwritten; nothing was freed.</exception>
    /// <exception cref="ObjectDisposedException">Debug mode: the block was already freed; nothing was freed.</exception>
    public void Free(void* pointer)
    {
        if (_debug)
        {
            FreeDebug(pointer, 0, null);
            return;
        }

        FreeUntyped(CurrentThreadHeapOrNull(), pointer);
    }

    /// <summary>This heap's untyped allocation: zeroed bytes from a class, or from the large-object path.</summary>
    internal void* AllocateUntyped(nuint size)
    {
        if (size > PooledHeap.SmallObjectThreshold)
        {
            return AllocateLargeZeroed(size);
        }

        byte* block = AllocateSmall(size == 0 ? 0 : SizeClass.Of(size));
        NativeMemory.Clear(block, size);
        return block;
    }

    /// <summary>
    /// Bytes with undefined contents, from <paramref name="threadHeap"/> (one of this heap's, or null for the calling
    /// thread's): the fast path, else the next pool, else the large path. A debug heap zeroes them anyway.
    /// </summary>
    internal void* AllocateUninitializedOn(ThreadHeap* threadHeap, nuint size)
    {
        if (_debug)
        {
            return AllocateDebug(size, SizeClass.Spacing, null, out _);
        }

        if (size > PooledHeap.SmallObjectThreshold)
        {
            return AllocateLarge(size, SizeClass.Spacing);
        }

        int sizeClass = size == 0 ? 0 : SizeClass.Of(size);
        if (threadHeap == null)
        {
            return AllocateSmall(sizeClass);
        }

        byte* block = TryAllocateSmall(threadHeap, sizeClass);
        return block != null ? block : AllocateFromPools(threadHeap, sizeClass);
    }

    /// <summary>The untyped free path: the pointer is checked before anything is read through it.</summary>
    internal static void FreeUntyped(ThreadHeap* threadHeap, void* pointer)
    {
        if (pointer == null)
        {
            return;
        }

        if (ArenaRegistry.Contains((nuint)pointer & HeapGeometry.ArenaMask))
        {
            if (Arena.Of(pointer)->IsDebug)
            {
                // A debug heap's block, freed through a release heap: the address is past a guard prefix.
                FreeDebug(pointer, 0, null);
                return;
            }

            CheckIsLiveBlockStart((byte*)pointer);
            if (!TryFreeLocal(threadHeap, (byte*)pointer, -1))
            {
                FreeElsewhere(threadHeap, (byte*)pointer, null);
            }
        }
        else if (!LargeObjects.TryFree(pointer))
        {
            if (LargeObjects.IsDebugBlock(pointer))
            {
                FreeDebug(pointer, 0, null);
                return;
            }

            throw NotOurs(pointer);
        }
    }
}

using System;
using System.Runtime.CompilerServices;
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
            // Checked from the pool header alone (the lines the free touches anyway): a debug heap's block (its pools
            // carry minus the heap's id) goes to the debug checks, anything that is not a live block start is refused.
            Pool* pool = Pool.Of(pointer);
            if (pool->HeapId < 0 || !IsLiveBlockStart(pool, (byte*)pointer))
            {
                FreeUntypedSlow((byte*)pointer);
                return;
            }

            if (!TryFreeLocal(threadHeap, (byte*)pointer))
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

    /// <summary>True when <paramref name="address"/>, in a live arena, is the start of a block of a pool in use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLiveBlockStart(Pool* pool, byte* address) =>
        pool->State is not (PoolState.InArena or PoolState.Cached)
        && (OsMemory.ArenasComeZeroed || Arena.PoolIndex(Arena.Of(address), pool) < Arena.Of(address)->CarvedPools)
        && Pool.IsBlockStart(pool, address);

    /// <summary>An untyped free the pool header did not clear: a debug heap's block, or a refusal that says why.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FreeUntypedSlow(byte* address)
    {
        if (Arena.Of(address)->IsDebug)
        {
            // A debug heap's block, freed through a release heap: the address is past a guard prefix.
            FreeDebug(address, 0, null);
            return;
        }

        Arena* arena = Arena.Of(address);
        Pool* pool = Pool.Of(address);
        if (Arena.PoolIndex(arena, pool) >= arena->CarvedPools || pool->State is PoolState.InArena or PoolState.Cached)
        {
            throw new ArgumentException(
                $"PooledGen: 0x{(nuint)address:X} is inside a PooledGen arena but in a pool with no block in use; nothing was freed.",
                "pointer");
        }

        throw new ArgumentException(
            $"PooledGen: 0x{(nuint)address:X} points inside a PooledGen pool of {pool->BlockSize}-byte blocks but not at the start of a block " +
            "(an interior or misaligned pointer); nothing was freed.",
            "pointer");
    }
}

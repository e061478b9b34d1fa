using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;

namespace PooledGen;

// Debug mode (issue #8): every entry point of a debug heap comes here before any fast path. Nothing in this file runs
// for a release heap, and a release heap holds none of its state (its DebugBlocks is null).
public sealed unsafe partial class ArenaHeap
{
    /// <summary>True when this heap holds debug records (debug mode only; a release heap has no debug structure at all).</summary>
    internal bool HasDebugRecords => _debugBlocks is not null;

    /// <summary>
    /// Lists this heap's live blocks with the stack traces that allocated them: a leak report to print at shutdown
    /// (or use <see cref="WriteLeakReport(TextWriter)"/>). Debug mode only.
    /// </summary>
    /// <returns>The live blocks, by type name, then allocation site, then address.</returns>
    /// <exception cref="InvalidOperationException">Debug mode is off for this heap: allocation sites are not recorded.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public IReadOnlyList<LiveAllocation> GetLiveAllocations()
    {
        ThrowIfDisposed();
        if (_debugBlocks is null)
        {
            throw new InvalidOperationException(
                "PooledGen: debug mode is off for this heap, so allocation sites are not recorded. Start the process with POOLEDGEN_DEBUG=1 " +
                "(or the AppContext switch PooledGen.Debug), or create the heap with new ArenaHeap(0, debug: true).");
        }

        return _debugBlocks.Snapshot();
    }

    /// <summary>
    /// Writes the leak report: this heap's live blocks grouped by type and allocation site, with the first frames of
    /// each site's stack (debug mode); in release mode, one line saying how to switch debug mode on.
    /// </summary>
    /// <param name="writer">Where to write, e.g. <see cref="Console.Error"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public void WriteLeakReport(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ThrowIfDisposed();
        HeapReport.WriteLeakReport(writer, Name, _debugBlocks?.Snapshot());
    }

    /// <summary>
    /// Writes this heap's statistics as a table in the spirit of CPython's <c>sys._debugmallocstats()</c>: each size
    /// class in use (block size, pools, blocks in use, free blocks); the arenas (allocated, released, current,
    /// high-water); the reserved bytes and where they are (blocks in use, free blocks of partly used pools, free
    /// pools, pool headers); padding; the large-object path; allocation and free counts; the <c>[Pooled]</c> types.
    /// </summary>
    /// <param name="writer">Where to write, e.g. <see cref="Console.Out"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public void WriteStatistics(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        HeapReport.WriteStatistics(writer, Name, GetStatistics());
    }

    /// <summary>The typed debug allocation of a zeroed struct (the debug layout zeroes the user's bytes).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal Pooled<T> AllocDebug<T>() where T : unmanaged
    {
        var pointer = (T*)AllocateDebug((nuint)sizeof(T), DebugAlignment<T>(), typeof(T), out ulong stamp);
        return new Pooled<T>(pointer, stamp);
    }

    /// <summary>The typed debug allocation of a copy of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal Pooled<T> AllocDebug<T>(in T value) where T : unmanaged
    {
        var pointer = (T*)AllocateDebug((nuint)sizeof(T), DebugAlignment<T>(), typeof(T), out ulong stamp);
        *pointer = value;
        return new Pooled<T>(pointer, stamp);
    }

    private static int DebugAlignment<T>() where T : unmanaged => Math.Max(BlockLayout<T>.Alignment, SizeClass.Spacing);

    /// <summary>
    /// Allocates a debug block for <paramref name="size"/> bytes aligned to <paramref name="alignment"/> (16 or more):
    /// from the class that fits them with their header and guards, or from the large-object path when none does.
    /// Returns the zeroed user's bytes and the allocation's stamp.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal byte* AllocateDebug(nuint size, int alignment, Type? type, out ulong stamp)
    {
        int prefix = DebugLayout.PrefixFor(alignment);
        if (size > nuint.MaxValue / 2)
        {
            // The header, guards and rounding below would wrap; no address space holds such a block anyway.
            ThrowRequestTooLarge(size);
        }

        nuint needed = (nuint)prefix + size + DebugLayout.MinGuardAfter;
        int sizeClass = DebugLayout.SizeClassFor(needed, alignment);
        byte* raw;
        nuint blockSize;
        if (sizeClass >= 0)
        {
            raw = AllocateFromPools(sizeClass);
            blockSize = (nuint)SizeClass.BlockSize(sizeClass);
        }
        else
        {
            blockSize = (needed + (nuint)alignment - 1) & ~(nuint)(alignment - 1);
            raw = (byte*)AllocateLarge(blockSize, (nuint)alignment, prefix);
        }

        stamp = DebugLayout.NextStamp();
        byte* user = DebugLayout.Format(raw, prefix, size, blockSize, stamp);
        _debugBlocks!.Add(new LiveAllocation((nuint)user, type, (long)size, sizeClass, (int)blockSize, prefix, stamp, DebugLayout.Capture()));
        return user;
    }

    /// <summary>
    /// The free of a debug entry point (or of a debug heap's handle): finds the heap that owns the block; a debug
    /// heap checks it, a release heap frees it as usual.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void FreeDebug(void* pointer, ulong stamp, Type? type)
    {
        if (pointer == null)
        {
            return;
        }

        ArenaHeap? heap;
        if (ArenaRegistry.Contains((nuint)pointer & HeapGeometry.ArenaMask))
        {
            heap = HeapRegistry.Get(Arena.Of(pointer)->HeapId)
                ?? throw new ObjectDisposedException(nameof(ArenaHeap), "PooledGen: the heap that owns this block was disposed.");
        }
        else if (!LargeObjects.TryGet(pointer, out int heapId, out _) || (heap = HeapRegistry.Get(heapId)) is null)
        {
            if (stamp != 0)
            {
                throw DebugBlocks.AlreadyFreed(pointer, type, " (its memory has gone back to the operating system)");
            }

            throw new ArgumentException(
                $"PooledGen: 0x{(nuint)pointer:X} was not allocated by PooledGen, or was already freed (it is in no arena and is no live large block); nothing was freed.",
                "pointer");
        }

        if (!heap._debug)
        {
            FreeUntyped(null, pointer);
            return;
        }

        heap.FreeDebugBlock((byte*)pointer, stamp, type);
    }

    /// <summary>Frees a block of this debug heap once its checks pass: dead bytes in, stamp marked freed, then back to its pool.</summary>
    private void FreeDebugBlock(byte* user, ulong stamp, Type? type)
    {
        LiveAllocation block = _debugBlocks!.Take(user, stamp, type);
        DebugLayout.Kill(user, (nuint)block.Size);
        if (block.SizeClass >= 0)
        {
            FreeOnCallingThread(user - block.Prefix);
        }
        else
        {
            LargeObjects.TryFree(user, debugBlock: true);
        }
    }
}

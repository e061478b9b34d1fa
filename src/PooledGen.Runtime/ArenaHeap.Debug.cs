using System;
using System.Collections.Generic;
using System.IO;
using System.Diagnostics;
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
        byte* user = AllocateDebug((nuint)sizeof(T), DebugAlignment<T>(), typeof(T), out ulong stamp);
        return new Pooled<T>((T*)Handle(user, stamp));
    }

    /// <summary>The typed debug allocation of a copy of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal Pooled<T> AllocDebug<T>(in T value) where T : unmanaged
    {
        byte* user = AllocateDebug((nuint)sizeof(T), DebugAlignment<T>(), typeof(T), out ulong stamp);
        *(T*)user = value;
        return new Pooled<T>((T*)Handle(user, stamp));
    }

    // While the process-wide switch is on, Pooled<T> masks its tag off and a handle carries its allocation's generation;
    // a private debug heap in a release process hands out plain addresses, and its quarantine catches stale frees.
    private static void* Handle(byte* user, ulong stamp) => DebugMode.Enabled ? DebugLayout.Tagged(user, stamp) : user;

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
            // The raw blocks of a debug heap belong to its own block owner, under the lock (debug mode is slow anyway):
            // no thread heap of it ever holds a pool, so no fast path (a LocalHeap's included) can hand one out unchecked.
            lock (_lock)
            {
                ThrowIfDisposed();
                raw = TryAllocateSmall(_debugOwner, sizeClass);
                if (raw == null)
                {
                    raw = AllocateFromPools(_debugOwner, sizeClass);
                }
            }

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
    /// heap checks it, a release heap frees it as usual. <paramref name="tag"/> is the handle's generation (process-wide
    /// debug mode), 0 for an untagged handle or an untyped free.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void FreeDebug(void* pointer, ushort tag, Type? type)
    {
        if (pointer == null)
        {
            return;
        }

        ArenaHeap? heap;
        if (ArenaRegistry.Contains((nuint)pointer & HeapGeometry.ArenaMask))
        {
            heap = HeapRegistry.Get(Arena.Of(pointer)->HeapId) ?? throw DisposedHeapsBlock(pointer, type);
        }
        else if (!LargeObjects.TryGet(pointer, out int heapId, out _) || (heap = HeapRegistry.Get(heapId)) is null)
        {
            if (tag != 0 || type is not null)
            {
                throw DebugBlocks.AlreadyFreed(pointer, type, " (its memory has gone back to the operating system)");
            }

            throw NotOurs(pointer);
        }

        if (!heap._debug)
        {
            FreeUntyped(null, pointer);
            return;
        }

        heap.FreeDebugBlock((byte*)pointer, tag, type);
    }

    /// <summary>
    /// Frees a block of this debug heap once its checks pass: dead bytes in, stamp marked freed, then into the
    /// quarantine (a pool block) or back to the operating system (a large block).
    /// </summary>
    private void FreeDebugBlock(byte* user, ushort tag, Type? type)
    {
        LiveAllocation block = _debugBlocks!.Take(user, tag, type);
        DebugLayout.Kill(user, (nuint)block.Size);
        if (block.SizeClass < 0)
        {
            LargeObjects.TryFree(user, debugBlock: true);
            return;
        }

        if (_debugBlocks.Quarantine(block) is { } leaving)
        {
            ReturnDebugBlock(leaving);
        }
    }

    /// <summary>A raw block leaves the quarantine for its pool: a free by the debug heap's own block owner, under the lock.</summary>
    private void ReturnDebugBlock(LiveAllocation block)
    {
        byte* raw = (byte*)block.Address - block.Prefix;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            Pool* pool = Pool.Of(raw);
            Debug.Assert(pool->Owner == _debugOwner, "a debug heap's raw blocks belong to its block owner");
            Pool.PushFree(pool, raw);
            if (pool->Used == pool->AttentionAt)
            {
                OnLocalFree(_debugOwner, pool);
            }
        }
    }

    /// <summary>Under the lock, for Trim: every block in the quarantine goes back to its pool now.</summary>
    private void ReleaseQuarantine()
    {
        if (_debugBlocks is null)
        {
            return;
        }

        foreach (LiveAllocation block in _debugBlocks.ReleaseQuarantine())
        {
            ReturnDebugBlock(block);
        }
    }
}

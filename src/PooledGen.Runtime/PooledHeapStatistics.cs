using System.Collections.Generic;

namespace PooledGen;

/// <summary>
/// A snapshot of a heap's statistics, from <see cref="PooledHeap.GetStatistics"/> or
/// <see cref="ArenaHeap.GetStatistics"/>. Block counts come from per-thread counters summed at the time of the
/// snapshot: exact when no thread is allocating or freeing, a close picture otherwise.
/// </summary>
/// <remarks>
/// The figures that count since the heap was created (<see cref="Allocations"/>, <see cref="Frees"/>,
/// <see cref="SizeClassStatistics.Allocations"/>, <see cref="LargeObjectBytesAllocated"/> and the
/// <see cref="BytesAllocated"/> derived from them) only grow; the <c>PooledGen</c> meter publishes them as counters, and
/// the figures of the moment (blocks, bytes, arenas, large objects) as up-down counters (docs/DEBUGGING.md).
/// </remarks>
public sealed class PooledHeapStatistics
{
    /// <summary>Bytes per arena.</summary>
    public int ArenaSize { get; init; }

    /// <summary>Bytes per pool.</summary>
    public int PoolSize { get; init; }

    /// <summary>One entry per size class (32 of them, index = class), in use or not.</summary>
    public IReadOnlyList<SizeClassStatistics> SizeClasses { get; init; } = [];

    /// <summary>Arenas taken from the operating system since the heap was created.</summary>
    public long ArenasAllocated { get; init; }

    /// <summary>Arenas returned to the operating system since the heap was created.</summary>
    public long ArenasReleased { get; init; }

    /// <summary>Arenas held now.</summary>
    public long ArenasCurrent { get; init; }

    /// <summary>The most arenas held at one time.</summary>
    public long ArenasHighWater { get; init; }

    /// <summary>Pools of the held arenas that serve no size class (returned to their arena, or never carved).</summary>
    public long FreePools { get; init; }

    /// <summary>Pools whose thread exited while they held blocks, waiting to be adopted or drained.</summary>
    public long AbandonedPools { get; init; }

    /// <summary>Threads that have a thread heap in this heap now.</summary>
    public int ThreadHeaps { get; init; }

    /// <summary>Bytes held from the operating system: arenas and large blocks.</summary>
    public long BytesReserved { get; init; }

    /// <summary>
    /// Bytes the heap keeps resident: pools it has touched and not decommitted since (in use, cached, or waiting for the
    /// purge), and large blocks. At most <see cref="BytesReserved"/>; the rest of the reserved address space is
    /// decommitted or was never touched.
    /// </summary>
    public long BytesCommitted { get; init; }

    /// <summary>Free pools that still hold their pages, waiting for the purge delay to pass (or to be reused first).</summary>
    public long PoolsWaitingForPurge { get; init; }

    /// <summary>Bytes of <see cref="PoolsWaitingForPurge"/>.</summary>
    public long BytesWaitingForPurge { get; init; }

    /// <summary>Purges run so far (by the purge timer, or by <c>Trim()</c>).</summary>
    public long Purges { get; init; }

    /// <summary>Pools decommitted by purges so far.</summary>
    public long PoolsDecommitted { get; init; }

    /// <summary>The heap's purge delay (<see cref="PooledHeapOptions.PurgeDelay"/>).</summary>
    public System.TimeSpan PurgeDelay { get; init; }

    /// <summary>Bytes in blocks handed out and not freed (whole blocks, padding included) and in large blocks.</summary>
    public long BytesInUse { get; init; }

    /// <summary>Bytes in the free blocks of pools in use: memory lost to partly used pools.</summary>
    public long BytesInFreeBlocks { get; init; }

    /// <summary>Bytes in free pools of the held arenas (returned to their arena, or never carved).</summary>
    public long BytesInFreePools { get; init; }

    /// <summary>
    /// Bytes of pools in use that no block can use: pool headers (and the arena header in an arena's first pool) and
    /// the tail of a pool too short for one more block. With <see cref="BytesInUse"/>, <see cref="BytesInFreeBlocks"/>
    /// and <see cref="BytesInFreePools"/> it adds up to <see cref="BytesReserved"/>.
    /// </summary>
    public long BytesInPoolOverhead { get; init; }

    /// <summary>
    /// Bytes lost to block padding in live blocks: what a release heap's block of each one's size class holds past
    /// the bytes requested (<c>sizeof(T)</c>). Known in debug mode only, which records every live block's size;
    /// null otherwise.
    /// </summary>
    public long? BytesLostToPadding { get; init; }

    /// <summary>Debug mode: bytes of live blocks spent on headers and guard bytes (null in release mode).</summary>
    public long? BytesInDebugGuards { get; init; }

    /// <summary>Blocks handed out since the heap was created (small and large), summed from per-thread counters.</summary>
    public long Allocations { get; init; }

    /// <summary>
    /// Blocks freed since the heap was created (small and large): the allocations less the blocks in use, which the pools
    /// count (a free counts nothing on its fast path). While threads work it may lag behind the true figure, never run
    /// ahead of it, and it never falls from one snapshot to the next.
    /// </summary>
    public long Frees { get; init; }

    /// <summary>Bytes of the large blocks handed out since the heap was created.</summary>
    public long LargeObjectBytesAllocated { get; init; }

    /// <summary>
    /// Bytes handed out since the heap was created: each size class's <see cref="SizeClassStatistics.Allocations"/>
    /// times its block size (whole blocks, as <see cref="BytesInUse"/> counts them), plus
    /// <see cref="LargeObjectBytesAllocated"/>. Like <c>GC.GetTotalAllocatedBytes()</c> for the GC heap; derived from
    /// counters the fast paths keep anyway, so allocation pays nothing for it.
    /// </summary>
    public long BytesAllocated
    {
        get
        {
            long bytes = LargeObjectBytesAllocated;
            foreach (SizeClassStatistics c in SizeClasses)
            {
                bytes += c.Allocations * c.BlockSize;
            }

            return bytes;
        }
    }

    /// <summary>True when the heap runs in debug mode (then blocks are larger and <see cref="LiveTypes"/> is filled in).</summary>
    public bool DebugEnabled { get; init; }

    /// <summary>
    /// Debug mode: per struct type, the live blocks and their bytes, from the records of the live blocks; empty in
    /// release mode, where counting per type would cost the fast path a write per allocation.
    /// </summary>
    public IReadOnlyList<PooledTypeStatistics> LiveTypes { get; init; } = [];

    /// <summary>Large blocks (over <see cref="PooledHeap.SmallObjectThreshold"/> bytes) live now.</summary>
    public long LargeObjectCount { get; init; }

    /// <summary>Bytes in live large blocks.</summary>
    public long LargeObjectBytes { get; init; }

    /// <summary>The cap on <see cref="BytesReserved"/>; 0 when there is none.</summary>
    public long MaxReservedBytes { get; init; }

    /// <summary>The <c>[Pooled]</c> types registered by generated code so far (process-wide).</summary>
    public IReadOnlyList<PooledTypeInfo> RegisteredTypes { get; init; } = [];
}

/// <summary>The figures of one size class.</summary>
/// <param name="SizeClass">The class index, 0 to 31.</param>
/// <param name="BlockSize">The class's block size in bytes, <c>(SizeClass + 1) * 16</c>.</param>
/// <param name="PoolsInUse">Pools serving the class.</param>
/// <param name="BlocksInUse">Blocks handed out and not freed.</param>
/// <param name="BlocksFree">Blocks of those pools not in use (on free lists or not yet carved).</param>
public readonly record struct SizeClassStatistics(int SizeClass, int BlockSize, long PoolsInUse, long BlocksInUse, long BlocksFree)
{
    /// <summary>Blocks of the class handed out since the heap was created, summed from per-thread counters.</summary>
    public long Allocations { get; init; }

    /// <summary>Blocks of the class freed since the heap was created: its allocations less its blocks in use (see <see cref="PooledHeapStatistics.Frees"/>).</summary>
    public long Frees { get; init; }
}

/// <summary>The live blocks of one struct type in a debug heap.</summary>
/// <param name="Name">The type's registered <c>[Pooled]</c> name, or its CLR name.</param>
/// <param name="Size">Its size, <c>sizeof(T)</c>.</param>
/// <param name="BlockSize">The block size a release heap serves it with, or 0 for the large-object path.</param>
/// <param name="LiveCount">Blocks of the type allocated and not freed.</param>
/// <param name="LiveBytes">Their bytes, <c>LiveCount * Size</c>.</param>
public sealed record PooledTypeStatistics(string Name, int Size, int BlockSize, long LiveCount, long LiveBytes);

/// <summary>A <c>[Pooled]</c> type as registered by generated code.</summary>
/// <param name="Name">The type's display name.</param>
/// <param name="Size">Its runtime size, <c>sizeof(T)</c>.</param>
/// <param name="Alignment">Its alignment.</param>
/// <param name="BlockSize">The block size that serves it, or 0 when it takes the large-object path.</param>
public sealed record PooledTypeInfo(string Name, int Size, int Alignment, int BlockSize);

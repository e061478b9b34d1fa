using System.Collections.Generic;

namespace PooledGen;

/// <summary>
/// A snapshot of a heap's statistics, from <see cref="PooledHeap.GetStatistics"/> or
/// <see cref="ArenaHeap.GetStatistics"/>. Block counts come from per-thread counters summed at the time of the
/// snapshot: exact when no thread is allocating or freeing, a close picture otherwise.
/// </summary>
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

    /// <summary>Bytes in blocks handed out and not freed (whole blocks, padding included) and in large blocks.</summary>
    public long BytesInUse { get; init; }

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
public readonly record struct SizeClassStatistics(int SizeClass, int BlockSize, long PoolsInUse, long BlocksInUse, long BlocksFree);

/// <summary>A <c>[Pooled]</c> type as registered by generated code.</summary>
/// <param name="Name">The type's display name.</param>
/// <param name="Size">Its runtime size, <c>sizeof(T)</c>.</param>
/// <param name="Alignment">Its alignment.</param>
/// <param name="BlockSize">The block size that serves it, or 0 when it takes the large-object path.</param>
public sealed record PooledTypeInfo(string Name, int Size, int Alignment, int BlockSize);

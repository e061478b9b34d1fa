using System;
using System.Collections.Generic;
using System.Linq;

namespace PooledGen;

/// <summary>What a pool of an arena is doing, as the arena map shows it.</summary>
internal enum PoolCellState : byte
{
    /// <summary>Serves a size class and holds live blocks (or is a class's current pool).</summary>
    InUse,

    /// <summary>Free and still committed: resident pages the heap keeps for reuse.</summary>
    Empty,

    /// <summary>Free, committed, and due to be given back when its purge delay ends.</summary>
    WaitingForPurge,

    /// <summary>Free and given back to the operating system; the addresses stay the arena's.</summary>
    Decommitted,

    /// <summary>Never used since the arena was mapped: the kernel's zero pages, costing nothing.</summary>
    NeverCarved,
}

/// <summary>
/// One pool of the arena map. <paramref name="SizeClass"/>, <paramref name="BlockSize"/>,
/// <paramref name="BlocksInUse"/> and <paramref name="Capacity"/> (blocks the pool can hold) mean something for
/// <see cref="PoolCellState.InUse"/> pools only; the others leave them 0.
/// </summary>
internal readonly record struct PoolCell(PoolCellState State, int SizeClass, int BlockSize, int BlocksInUse, int Capacity)
{
    /// <summary>The steps of <see cref="OccupancyStep"/>: 0 to 9 tenths, 10 full.</summary>
    public const int FullStep = 10;

    /// <summary>A free or never-carved pool.</summary>
    public static PoolCell Free(PoolCellState state) => new(state, 0, 0, 0, 0);

    /// <summary>Bytes of the pool's live blocks.</summary>
    public long BytesInUse => State == PoolCellState.InUse ? (long)BlocksInUse * BlockSize : 0;

    /// <summary>
    /// How full an in-use pool is, in tenths rounded down (0 to 9), or <see cref="FullStep"/> when every block is in
    /// use; so that a pool with one block free never passes for a full one.
    /// </summary>
    public int OccupancyStep =>
        Capacity <= 0 ? 0 : BlocksInUse >= Capacity ? FullStep : Math.Min(9, (int)((long)BlocksInUse * 10 / Capacity));
}

/// <summary>One arena of the arena map: its base address, the name of its heap and its pools in address order.</summary>
internal sealed record ArenaMapArena(nuint Base, string Heap, PoolCell[] Pools)
{
    /// <summary>The arena's counts and occupancy.</summary>
    public ArenaOccupancy Summarize(int poolSize)
    {
        int inUse = 0, empty = 0, waiting = 0, decommitted = 0, neverCarved = 0;
        long blocksInUse = 0, capacity = 0, bytesInUse = 0;
        foreach (PoolCell pool in Pools)
        {
            switch (pool.State)
            {
                case PoolCellState.InUse:
                    inUse++;
                    blocksInUse += pool.BlocksInUse;
                    capacity += pool.Capacity;
                    bytesInUse += pool.BytesInUse;
                    break;
                case PoolCellState.Empty:
                    empty++;
                    break;
                case PoolCellState.WaitingForPurge:
                    waiting++;
                    break;
                case PoolCellState.Decommitted:
                    decommitted++;
                    break;
                default:
                    neverCarved++;
                    break;
            }
        }

        return new ArenaOccupancy(Base, Heap, inUse, empty, waiting, decommitted, neverCarved, blocksInUse, capacity, bytesInUse, (long)inUse * poolSize);
    }
}

/// <summary>
/// An arena's pools by state and how full its in-use pools are. <see cref="BytesHeld"/> is what the live blocks keep
/// resident: pools in use cannot be purged and keep the whole arena mapped, so an arena with a low
/// <see cref="Occupancy"/> is the bloat a user asks about.
/// </summary>
internal readonly record struct ArenaOccupancy(
    nuint Base,
    string Heap,
    int PoolsInUse,
    int PoolsEmpty,
    int PoolsWaitingForPurge,
    int PoolsDecommitted,
    int PoolsNeverCarved,
    long BlocksInUse,
    long BlockCapacity,
    long BytesInUse,
    long BytesHeld)
{
    /// <summary>Bytes in live blocks over the bytes of the pools in use (0 to 1); 0 when no pool is in use.</summary>
    public double Occupancy => BytesHeld == 0 ? 0 : (double)BytesInUse / BytesHeld;

    /// <summary>Bytes of the pools in use that hold no live block: free blocks, headers and tails.</summary>
    public long BytesWasted => BytesHeld - BytesInUse;

    /// <summary>
    /// The arenas that live blocks keep mapped (a pool in use), sparsest first (lowest <see cref="Occupancy"/>, then
    /// most <see cref="BytesWasted"/>, then lowest address): the arenas whose blocks a debug heap should name.
    /// </summary>
    public static IReadOnlyList<ArenaOccupancy> Sparsest(IEnumerable<ArenaMapArena> arenas, int poolSize, int count) =>
        arenas.Select(a => a.Summarize(poolSize))
            .Where(a => a.PoolsInUse > 0)
            .OrderBy(a => a.Occupancy)
            .ThenByDescending(a => a.BytesWasted)
            .ThenBy(a => (ulong)a.Base)
            .Take(count)
            .ToList();
}

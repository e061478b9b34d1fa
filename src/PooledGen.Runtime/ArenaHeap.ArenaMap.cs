using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace PooledGen;

// The arena map: where the heap's memory is, pool by pool, so that bloat ("many small objects held within partially
// filled arenas") can be seen. Read from the arena headers and bitmaps under the lock, and from the pool headers of
// pools in use, which their threads may be changing: a picture of a moment, not an exact account.
public sealed unsafe partial class ArenaHeap
{
    /// <summary>
    /// Writes the arena map as compact text: one line per arena (its base address first, for <c>grep ^0x</c>) with a
    /// glyph per pool (<c>0</c>-<c>9</c> tenths full, <c>#</c> full, <c>-</c> empty and kept by a thread, <c>~</c>
    /// waiting for the purge, <c>_</c> decommitted, <c>.</c> never carved), counts and occupancy; then totals. In debug
    /// mode it ends with the types whose blocks hold the sparsest arenas, with the methods that allocated them.
    /// </summary>
    /// <param name="writer">Where to write, e.g. <see cref="Console.Out"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public void WriteArenaMap(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        List<ArenaMapArena> arenas = SnapshotArenaMap();
        ArenaMapWriter.WriteText(writer, arenas, HeapGeometry.PoolSize);
        if (_debugBlocks is not null)
        {
            WriteWhoHoldsTheSparsestArenas(writer, arenas, _debugBlocks.Snapshot());
        }
    }

    /// <summary>
    /// Writes the arena map as an SVG picture (no dependency: plain XML): each arena a row, each pool a cell shaded by
    /// how full it is, with free, waiting, decommitted and never-carved pools told apart, a legend, and a tooltip per pool.
    /// </summary>
    /// <param name="writer">Where to write, e.g. a <see cref="StreamWriter"/> on <c>arenas.svg</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public void WriteArenaMapSvg(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArenaMapWriter.WriteSvg(writer, SnapshotArenaMap(), HeapGeometry.PoolSize);
    }

    /// <summary>Every arena of the heap, by address, with the state and occupancy of each of its pools.</summary>
    internal List<ArenaMapArena> SnapshotArenaMap()
    {
        var arenas = new List<ArenaMapArena>();
        lock (_lock)
        {
            ThrowIfDisposed();
            for (int n = 0; n <= HeapGeometry.PoolsPerArena; n++)
            {
                for (Arena* arena = _arenasByFreePools[n]; arena != null; arena = arena->Next)
                {
                    var cells = new PoolCell[HeapGeometry.PoolsPerArena];
                    for (int i = 0; i < cells.Length; i++)
                    {
                        cells[i] = Cell(arena, i);
                    }

                    arenas.Add(new ArenaMapArena((nuint)arena->Base, Name, cells));
                }
            }
        }

        arenas.Sort((a, b) => a.Base.CompareTo(b.Base));
        return arenas;
    }

    private PoolCell Cell(Arena* arena, int index)
    {
        if (index >= arena->CarvedPools)
        {
            return PoolCell.Free(PoolCellState.NeverCarved);
        }

        if (Arena.Has(Arena.FreeMap(arena), index))
        {
            return PoolCell.Free(Arena.Has(Arena.WaitingMap(arena), index) ? PoolCellState.WaitingForPurge : PoolCellState.Decommitted);
        }

        Pool* pool = Arena.PoolAt(arena, index);
        if (pool->State == PoolState.Cached)
        {
            return PoolCell.Free(PoolCellState.Empty);
        }

        // Blocks freed by other threads and not yet collected still count as in use here.
        int used = Math.Clamp(pool->Used, 0, pool->Capacity);
        return new PoolCell(PoolCellState.InUse, pool->SizeClass, pool->BlockSize, used, pool->Capacity);
    }

    /// <summary>The question a user with bloat asks: who holds these arenas? The types in the sparsest, by count, with their sites.</summary>
    private static void WriteWhoHoldsTheSparsestArenas(TextWriter writer, List<ArenaMapArena> arenas, List<LiveAllocation> live)
    {
        IReadOnlyList<ArenaOccupancy> sparsest = ArenaOccupancy.Sparsest(arenas, HeapGeometry.PoolSize, 5);
        if (sparsest.Count == 0)
        {
            return;
        }

        writer.WriteLine("who holds the sparsest arenas (debug mode):");
        ILookup<nuint, LiveAllocation> byArena = live.ToLookup(block => block.Address & HeapGeometry.ArenaMask);
        foreach (ArenaOccupancy arena in sparsest)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  0x{(ulong)arena.Base:X16}  {arena.Occupancy * 100:0.0}% occupied, {arena.BytesWasted:N0} bytes idle in its pools in use:"));
            foreach (IGrouping<(string TypeName, string AllocationSite), LiveAllocation> holders in byArena[arena.Base]
                .GroupBy(block => (block.TypeName, block.AllocationSite))
                .OrderByDescending(group => group.Count())
                .ThenBy(group => group.Key.TypeName, StringComparer.Ordinal)
                .Take(5))
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {holders.Count(),6:N0} {holders.Key.TypeName} allocated at {holders.Key.AllocationSite}"));
            }
        }
    }
}

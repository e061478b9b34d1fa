using System;
using System.Diagnostics;
using System.Threading;

namespace PooledGen;

// Arenas: taking them from the operating system and giving them back, and keeping them bucketed by their number of
// free pools (CPython's usable_arenas, with its O(1) index) so that pools come from the fullest arenas and lightly
// used ones drain. Everything here runs under _lock.
public sealed unsafe partial class ArenaHeap
{
    private long ReservedBytes => _arenasCurrent * HeapGeometry.ArenaSize + _largeObjectBytes;

    /// <summary>The arena with the fewest free pools that still has one, or null when every arena is full.</summary>
    private Arena* FullestUsableArena()
    {
        for (int n = 1; n <= HeapGeometry.PoolsPerArena; n++)
        {
            if (_arenasByFreePools[n] != null)
            {
                return _arenasByFreePools[n];
            }
        }

        return null;
    }

    private Arena* NewArena()
    {
        Debug.Assert(Monitor.IsEntered(_lock), "arenas are taken under the heap lock");
        Debug.Assert(_arenasByFreePools[HeapGeometry.PoolsPerArena] == null, "no arena is taken while an empty one is kept");
        long arenaSize = HeapGeometry.ArenaSize;
        if (_maxReservedBytes > 0 && ReservedBytes + arenaSize > _maxReservedBytes)
        {
            throw new OutOfMemoryException(
                $"PooledGen: a new arena of {arenaSize} bytes would take the heap's reserved memory to {ReservedBytes + arenaSize} bytes, over its cap of {_maxReservedBytes} bytes.");
        }

        // Aligned to its own size: masking any block address gives the arena, and a set lookup tells if it is ours.
        byte* arenaBase = OsMemory.AllocateAligned((nuint)arenaSize);
        Debug.Assert(((nuint)arenaBase & ~HeapGeometry.ArenaMask) == 0, "an arena is aligned to its size");
        var arena = (Arena*)(arenaBase + Pool.HeaderSize);
        Arena.Initialize(arena, arenaBase, Id, _debug);
        try
        {
            ArenaRegistry.Add((nuint)arenaBase);
        }
        catch
        {
            // The registry could not grow: give the arena back so the heap is as it was.
            OsMemory.Free(arenaBase, (nuint)arenaSize);
            throw;
        }

        LinkArena(arena);
        _arenasAllocated++;
        _arenasCurrent++;
        _arenasHighWater = Math.Max(_arenasHighWater, _arenasCurrent);
        return arena;
    }

    private void ReleaseArena(Arena* arena)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "arenas are released under the heap lock");
        Debug.Assert(_disposed || arena->FreePools == HeapGeometry.PoolsPerArena, "only an empty arena goes back to the operating system");
        if (arena->OnPurgeList)
        {
            UnlinkFromPurge(arena);
        }

        UnlinkArena(arena, arena->FreePools);
        ArenaRegistry.Remove((nuint)arena->Base);
        if (_disposed)
        {
            // Its blocks may still be in users' hands: keep the range readable so that a late free is refused, not a fault.
            DisposedArenas.Retire(arena->Base, (nuint)HeapGeometry.ArenaSize);
        }
        else
        {
            OsMemory.Free(arena->Base, (nuint)HeapGeometry.ArenaSize);
        }

        _arenasCurrent--;
        _arenasReleased++;
        Debug.Assert(_arenasCurrent >= 0, "more arenas released than taken");
    }

    /// <summary>
    /// Under the lock (Trim): every arena with no pool in use goes back to the operating system and every pool waiting
    /// for the purge is decommitted now, whatever the delay.
    /// </summary>
    private void PurgeEverything()
    {
        for (int n = HeapGeometry.PoolsPerArena; n >= 1; n--)
        {
            for (Arena* arena = _arenasByFreePools[n]; arena != null;)
            {
                Arena* next = arena->Next;
                if (arena->WaitingPools > 0 || arena->FreePools == HeapGeometry.PoolsPerArena)
                {
                    PurgeArena(arena);
                }

                arena = next;
            }
        }

        _purges++;
    }

    /// <summary>Under the lock, when the heap is disposed: every arena goes back, whatever it holds.</summary>
    private void ReleaseAllArenas()
    {
        for (int n = 0; n <= HeapGeometry.PoolsPerArena; n++)
        {
            while (_arenasByFreePools[n] != null)
            {
                ReleaseArena(_arenasByFreePools[n]);
            }
        }
    }

    /// <summary>Moves an arena whose free-pool count changed from <paramref name="fromFreePools"/> to its new bucket.</summary>
    private void MoveArena(Arena* arena, int fromFreePools)
    {
        Debug.Assert(Math.Abs(arena->FreePools - fromFreePools) == 1, "an arena's free-pool count moves one pool at a time");
        UnlinkArena(arena, fromFreePools);
        LinkArena(arena);
    }

    private void LinkArena(Arena* arena)
    {
        Debug.Assert(arena->FreePools >= 0 && arena->FreePools <= HeapGeometry.PoolsPerArena, "an arena's free-pool count is within its pools");
        Debug.Assert(arena->Next == null && arena->Prev == null, "an arena is on one bucket at a time");
        ref Arena* head = ref _arenasByFreePools[arena->FreePools];
        arena->Next = head;
        if (head != null)
        {
            head->Prev = arena;
        }

        head = arena;
    }

    private void UnlinkArena(Arena* arena, int freePools)
    {
        Debug.Assert(arena->Prev != null || _arenasByFreePools[freePools] == arena, "an arena with no predecessor heads its bucket");
        if (arena->Prev != null)
        {
            arena->Prev->Next = arena->Next;
        }
        else
        {
            _arenasByFreePools[freePools] = arena->Next;
        }

        if (arena->Next != null)
        {
            arena->Next->Prev = arena->Prev;
        }

        arena->Next = null;
        arena->Prev = null;
    }
}

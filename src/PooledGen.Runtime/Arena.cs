using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PooledGen;

// The operations on one arena: finding it from an address, and handing its pools out and back with its two bitmaps.
// The header and its invariants: Headers.cs. The heap's ordering of its arenas and the purge: ArenaHeap.Arenas.cs and
// ArenaHeap.Purge.cs.
internal unsafe partial struct Arena
{
    /// <summary>64-bit words in each of an arena's pool bitmaps.</summary>
    public static readonly int MapWords = (HeapGeometry.PoolsPerArena + 63) / 64;

    /// <summary>
    /// Offset of the first block in an arena's first pool: after the pool header, this arena header and its bitmaps,
    /// rounded up to <see cref="SizeClass.MaxBlockAlignment"/> so that block alignment is the same as in every other pool.
    /// </summary>
    public static readonly int FirstPoolBlockOffset =
        (Pool.HeaderSize + sizeof(Arena) + 2 * MapWords * sizeof(ulong) + SizeClass.MaxBlockAlignment - 1) & -SizeClass.MaxBlockAlignment;

    /// <summary>
    /// Where the part of the first pool that a decommit may give back starts: the page after the arena header (which
    /// must stay), so an empty live arena keeps one page resident.
    /// </summary>
    public static readonly int FirstPoolDecommitOffset = (FirstPoolBlockOffset + System.Environment.SystemPageSize - 1) & -System.Environment.SystemPageSize;

    /// <summary>The header of the arena holding <paramref name="address"/> (which must be in an arena).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Arena* Of(void* address) => (Arena*)(((nuint)address & HeapGeometry.ArenaMask) + Pool.HeaderSize);

    /// <summary>The index of <paramref name="pool"/> in its arena.</summary>
    public static int PoolIndex(Arena* arena, Pool* pool) => (int)(((byte*)pool - arena->Base) >> HeapGeometry.PoolShift);

    /// <summary>The pool at <paramref name="index"/> in <paramref name="arena"/>.</summary>
    public static Pool* PoolAt(Arena* arena, int index) => (Pool*)(arena->Base + ((nint)index << HeapGeometry.PoolShift));

    /// <summary>The offset of the first block of <paramref name="pool"/>: the first pool also holds the arena header.</summary>
    public static int FirstBlockOffset(Arena* arena, Pool* pool) => (byte*)pool == arena->Base ? FirstPoolBlockOffset : Pool.HeaderSize;

    /// <summary>Bit per pool: free in the arena.</summary>
    public static ulong* FreeMap(Arena* arena) => (ulong*)(arena + 1);

    /// <summary>Bit per pool: free and still committed, waiting for the purge.</summary>
    public static ulong* WaitingMap(Arena* arena) => (ulong*)(arena + 1) + MapWords;

    /// <summary>True when bit <paramref name="index"/> of <paramref name="map"/> is set.</summary>
    public static bool Has(ulong* map, int index) => (map[index >> 6] & (1UL << index)) != 0;

    /// <summary>Makes a new arena's header: every pool free and never carved.</summary>
    public static void Initialize(Arena* arena, byte* arenaBase, int heapId, bool isDebug)
    {
        *arena = default;
        arena->Base = arenaBase;
        arena->HeapId = heapId;
        arena->IsDebug = isDebug;
        arena->FreePools = HeapGeometry.PoolsPerArena;
        ulong* free = FreeMap(arena);
        ulong* waiting = WaitingMap(arena);
        for (int w = 0; w < MapWords; w++)
        {
            int bits = System.Math.Min(64, HeapGeometry.PoolsPerArena - w * 64);
            free[w] = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
            waiting[w] = 0;
        }
    }

    /// <summary>
    /// Takes a free pool: one still committed first (its pages are resident: reusing it costs no page fault), else the
    /// lowest decommitted or never-carved one. <paramref name="wasDecommitted"/> says the caller must recommit it.
    /// </summary>
    public static Pool* TakePool(Arena* arena, out int firstOffset, out bool wasDecommitted)
    {
        Debug.Assert(arena->FreePools > 0, "a pool is taken only from an arena that has a free one");
        int index = arena->WaitingPools > 0 ? LowestSet(WaitingMap(arena)) : LowestSet(FreeMap(arena));
        Debug.Assert(index >= 0 && Has(FreeMap(arena), index), "the pool taken is free");
        Pool* pool = PoolAt(arena, index);
        wasDecommitted = false;
        if (Has(WaitingMap(arena), index))
        {
            Clear(WaitingMap(arena), index);
            arena->WaitingPools--;
        }
        else if (index < arena->CarvedPools)
        {
            // Decommitted by a purge: zero pages on Linux and macOS; Windows must commit them again before any write.
            wasDecommitted = true;
            byte* start = DecommitStart(arena, index, out nuint length);
            OsMemory.Recommit(start, length);
        }
        else
        {
            Debug.Assert(index == arena->CarvedPools, "never-carved pools are taken in order");
            arena->CarvedPools++;
        }

        Clear(FreeMap(arena), index);
        arena->FreePools--;
        Pool.SetState(pool, PoolState.InArena);
        firstOffset = FirstBlockOffset(arena, pool);
        return pool;
    }

    /// <summary>Returns an empty pool to the arena, where it waits (committed) for reuse or for the purge.</summary>
    public static void ReturnPool(Arena* arena, Pool* pool)
    {
        int index = PoolIndex(arena, pool);
        Debug.Assert(Of(pool) == arena && pool->Used == 0 && pool->ThreadFree == 0, "only an empty pool of this arena comes back");
        Debug.Assert(pool->Next == null && pool->Prev == null, "a pool is unlinked from its lists before it goes back to its arena");
        Debug.Assert(!Has(FreeMap(arena), index) && index < arena->CarvedPools, "a carved pool in use comes back once");
        Pool.SetState(pool, PoolState.InArena);
        pool->Owner = ThreadHeap.Detached;
        Set(FreeMap(arena), index);
        Set(WaitingMap(arena), index);
        arena->FreePools++;
        arena->WaitingPools++;
    }

    /// <summary>Gives the pages of a waiting pool back to the operating system (it then reads as zeros); true when they went.</summary>
    public static bool DecommitPool(Arena* arena, int index)
    {
        Debug.Assert(Has(WaitingMap(arena), index), "only a waiting pool is decommitted");
        Clear(WaitingMap(arena), index);
        arena->WaitingPools--;
        byte* start = DecommitStart(arena, index, out nuint length);
        return OsMemory.Decommit(start, length);
    }

    /// <summary>The range a decommit of pool <paramref name="index"/> gives back: all of it, but the arena header's page of the first pool.</summary>
    public static byte* DecommitStart(Arena* arena, int index, out nuint length)
    {
        int skip = index == 0 ? FirstPoolDecommitOffset : 0;
        length = skip < HeapGeometry.PoolSize ? (nuint)(HeapGeometry.PoolSize - skip) : 0;
        return (byte*)PoolAt(arena, index) + skip;
    }

    private static int LowestSet(ulong* map)
    {
        for (int w = 0; w < MapWords; w++)
        {
            if (map[w] != 0)
            {
                return w * 64 + BitOperations.TrailingZeroCount(map[w]);
            }
        }

        return -1;
    }

    private static void Set(ulong* map, int index) => map[index >> 6] |= 1UL << index;

    private static void Clear(ulong* map, int index) => map[index >> 6] &= ~(1UL << index);
}

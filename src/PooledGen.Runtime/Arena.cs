using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace PooledGen;

// The operations on one arena: finding it from an address, and handing its pools out and back. The header and its
// invariants: Headers.cs. The heap's ordering of its arenas: ArenaHeap.Arenas.cs.
internal unsafe partial struct Arena
{
    /// <summary>
    /// Offset of the first block in an arena's first pool: after the pool header and this arena header, rounded up
    /// to <see cref="SizeClass.MaxBlockAlignment"/> so that block alignment is the same as in every other pool.
    /// </summary>
    public static readonly int FirstPoolBlockOffset =
        (Pool.HeaderSize + sizeof(Arena) + SizeClass.MaxBlockAlignment - 1) & -SizeClass.MaxBlockAlignment;

    /// <summary>The header of the arena holding <paramref name="address"/> (which must be in an arena).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Arena* Of(void* address) => (Arena*)(((nuint)address & HeapGeometry.ArenaMask) + Pool.HeaderSize);

    /// <summary>The index of <paramref name="pool"/> in its arena.</summary>
    public static int PoolIndex(Arena* arena, Pool* pool) => (int)(((byte*)pool - arena->Base) >> HeapGeometry.PoolShift);

    /// <summary>The pool at <paramref name="index"/> in <paramref name="arena"/>.</summary>
    public static Pool* PoolAt(Arena* arena, int index) => (Pool*)(arena->Base + ((nint)index << HeapGeometry.PoolShift));

    /// <summary>The offset of the first block of <paramref name="pool"/>: the first pool also holds the arena header.</summary>
    public static int FirstBlockOffset(Arena* arena, Pool* pool) => (byte*)pool == arena->Base ? FirstPoolBlockOffset : Pool.HeaderSize;

    /// <summary>Takes an empty pool: a returned one first (its memory is already touched), else the next never-carved one.</summary>
    public static Pool* TakePool(Arena* arena, out int firstOffset)
    {
        Debug.Assert(arena->FreePools > 0, "a pool is taken only from an arena that has a free one");
        Pool* pool = arena->FreePoolList;
        if (pool != null)
        {
            Debug.Assert(pool->State == PoolState.InArena && Of(pool) == arena, "the arena's free pools are its own and empty");
            arena->FreePoolList = pool->Next;
            pool->Next = null;
        }
        else
        {
            Debug.Assert(arena->CarvedPools < HeapGeometry.PoolsPerArena, "an arena with no returned pool still has uncarved ones");
            pool = PoolAt(arena, arena->CarvedPools);
            pool->State = PoolState.InArena;
            arena->CarvedPools++;
        }

        arena->FreePools--;
        firstOffset = FirstBlockOffset(arena, pool);
        return pool;
    }

    /// <summary>Returns an empty pool to the arena.</summary>
    public static void ReturnPool(Arena* arena, Pool* pool)
    {
        Debug.Assert(Of(pool) == arena && pool->Used == 0 && pool->ThreadFree == 0, "only an empty pool of this arena comes back");
        Debug.Assert(pool->Next == null && pool->Prev == null, "a pool is unlinked from its lists before it goes back to its arena");
        Debug.Assert(arena->FreePools < HeapGeometry.PoolsPerArena, "an arena cannot take back more pools than it holds");
        pool->State = PoolState.InArena;
        pool->Owner = ThreadHeap.Detached;
        pool->Next = arena->FreePoolList;
        arena->FreePoolList = pool;
        arena->FreePools++;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PooledGen;

/// <summary>
/// The header of an arena: a block of <see cref="HeapGeometry.ArenaSize"/> bytes taken from the operating system,
/// aligned to its size and cut into pools. It sits right after the header of the arena's first pool, so that every
/// pool, the first included, keeps its header at its own start. All fields are guarded by the owning heap's lock.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Arena
{
    /// <summary>
    /// Offset of the first block in an arena's first pool: after the pool header and this arena header, rounded up
    /// to <see cref="SizeClass.MaxBlockAlignment"/> so that block alignment is the same as in every other pool.
    /// </summary>
    public static readonly int FirstPoolBlockOffset =
        (Pool.HeaderSize + sizeof(Arena) + SizeClass.MaxBlockAlignment - 1) & -SizeClass.MaxBlockAlignment;

    /// <summary>The start of the arena (and of its first pool).</summary>
    public byte* Base;

    /// <summary>The id of the <see cref="ArenaHeap"/> that owns the arena.</summary>
    public int HeapId;

    /// <summary>Pools not in use: on <see cref="FreePoolList"/> or never carved. The arena's place in the ordering.</summary>
    public int FreePools;

    /// <summary>Pools carved so far, lazily: pools at or past this index have never been touched.</summary>
    public int CarvedPools;

    /// <summary>Empty pools returned to the arena, singly linked through <see cref="Pool.Next"/>.</summary>
    public Pool* FreePoolList;

    /// <summary>Next arena with the same <see cref="FreePools"/> count.</summary>
    public Arena* Next;

    /// <summary>Previous arena with the same <see cref="FreePools"/> count.</summary>
    public Arena* Prev;

    /// <summary>The header of the arena holding <paramref name="address"/> (which must be in an arena).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Arena* Of(void* address) => (Arena*)(((nuint)address & HeapGeometry.ArenaMask) + Pool.HeaderSize);

    /// <summary>The index of <paramref name="pool"/> in its arena.</summary>
    public static int PoolIndex(Arena* arena, Pool* pool) => (int)(((byte*)pool - arena->Base) >> HeapGeometry.PoolShift);

    /// <summary>Takes an empty pool: a returned one first (its memory is already touched), else the next never-carved one.</summary>
    public static Pool* TakePool(Arena* arena, out int firstOffset)
    {
        Pool* pool = arena->FreePoolList;
        if (pool != null)
        {
            arena->FreePoolList = pool->Next;
        }
        else
        {
            pool = (Pool*)(arena->Base + ((nint)arena->CarvedPools << HeapGeometry.PoolShift));
            arena->CarvedPools++;
        }

        arena->FreePools--;
        firstOffset = (byte*)pool == arena->Base ? FirstPoolBlockOffset : Pool.HeaderSize;
        return pool;
    }

    /// <summary>Returns an empty pool to the arena.</summary>
    public static void ReturnPool(Arena* arena, Pool* pool)
    {
        pool->State = PoolState.InArena;
        pool->Owner = ThreadHeap.Detached;
        pool->Prev = null;
        pool->Next = arena->FreePoolList;
        arena->FreePoolList = pool;
        arena->FreePools++;
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

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

/// <summary>
/// Every live arena's base address, of every heap, in an open-addressed hash set that readers search without a lock
/// (pymalloc's <c>address_in_range</c>, made exact by aligned arenas). Writers, on the arena slow path only, build a
/// new table under a lock and publish it, so a reader always sees a complete table.
/// </summary>
internal static unsafe class ArenaRegistry
{
    private static readonly object s_lock = new();
    private static nuint[] s_table = new nuint[16];
    private static int s_count;

    /// <summary>True when <paramref name="arenaBase"/> is the base of a live arena.</summary>
    public static bool Contains(nuint arenaBase)
    {
        nuint[] table = Volatile.Read(ref s_table);
        int mask = table.Length - 1;
        for (int i = Hash(arenaBase) & mask; ; i = (i + 1) & mask)
        {
            nuint entry = table[i];
            if (entry == arenaBase)
            {
                return true;
            }

            if (entry == 0)
            {
                return false;
            }
        }
    }

    /// <summary>Adds a new arena.</summary>
    public static void Add(nuint arenaBase)
    {
        lock (s_lock)
        {
            s_count++;
            Rebuild(arenaBase, 0);
        }
    }

    /// <summary>Removes an arena about to be returned to the operating system.</summary>
    public static void Remove(nuint arenaBase)
    {
        lock (s_lock)
        {
            s_count--;
            Rebuild(0, arenaBase);
        }
    }

    private static void Rebuild(nuint add, nuint remove)
    {
        int capacity = 16;
        while (capacity < s_count * 2)
        {
            capacity *= 2;
        }

        var table = new nuint[capacity];
        foreach (nuint entry in s_table)
        {
            if (entry != 0 && entry != remove)
            {
                Insert(table, entry);
            }
        }

        if (add != 0)
        {
            Insert(table, add);
        }

        Volatile.Write(ref s_table, table);
    }

    private static void Insert(nuint[] table, nuint value)
    {
        int mask = table.Length - 1;
        int i = Hash(value) & mask;
        while (table[i] != 0)
        {
            i = (i + 1) & mask;
        }

        table[i] = value;
    }

    // Arena bases differ only above the arena-size bits; a multiplicative hash spreads them.
    private static int Hash(nuint arenaBase) =>
        (int)(((ulong)arenaBase >> HeapGeometry.PoolShift) * 0x9E3779B97F4A7C15UL >> 40);
}

/// <summary>The live heaps by id, so that a block's arena header (which stores an id) leads to its heap.</summary>
internal static class HeapRegistry
{
    private static readonly object s_lock = new();
    private static ArenaHeap?[] s_heaps = new ArenaHeap?[8];
    private static int s_nextId = 1;

    /// <summary>Registers a new heap and returns its id (ids are never reused).</summary>
    public static int Add(ArenaHeap heap)
    {
        lock (s_lock)
        {
            int id = s_nextId++;
            ArenaHeap?[] heaps = s_heaps;
            if (id >= heaps.Length)
            {
                Array.Resize(ref heaps, heaps.Length * 2);
            }

            heaps[id] = heap;
            Volatile.Write(ref s_heaps, heaps);
            return id;
        }
    }

    /// <summary>Forgets a disposed heap.</summary>
    public static void Remove(int id)
    {
        lock (s_lock)
        {
            s_heaps[id] = null;
        }
    }

    /// <summary>The heap with id <paramref name="id"/>, or null once disposed.</summary>
    public static ArenaHeap? Get(int id)
    {
        ArenaHeap?[] heaps = Volatile.Read(ref s_heaps);
        return (uint)id < (uint)heaps.Length ? heaps[id] : null;
    }
}

using System.Threading;

namespace PooledGen;

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
            // The empty-slot test comes first: 0 marks an empty slot and is never an arena, so a pointer below
            // ArenaSize (whose arena base is 0) must not match it.
            nuint entry = table[i];
            if (entry == 0)
            {
                return false;
            }

            if (entry == arenaBase)
            {
                return true;
            }
        }
    }

    /// <summary>Adds a new arena.</summary>
    public static void Add(nuint arenaBase)
    {
        lock (s_lock)
        {
            Rebuild(s_count + 1, arenaBase, 0);
        }
    }

    /// <summary>Removes an arena about to be returned to the operating system.</summary>
    public static void Remove(nuint arenaBase)
    {
        lock (s_lock)
        {
            Rebuild(s_count - 1, 0, arenaBase);
        }
    }

    // Builds the table for `count` arenas and publishes it; on failure (out of memory) nothing has changed.
    private static void Rebuild(int count, nuint add, nuint remove)
    {
        int capacity = 16;
        while (capacity < count * 2)
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
        s_count = count;
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

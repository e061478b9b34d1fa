using System.Collections.Generic;

namespace PooledGen;

/// <summary>
/// The arenas of disposed heaps, kept as reserved address ranges of read-only zero pages (no memory) so that freeing a
/// block of a disposed heap, through any entry point, reads zeros instead of unmapped memory and is refused with an
/// <see cref="System.ObjectDisposedException"/>. At most <see cref="MaxRetired"/> ranges are kept (each is a mapping,
/// and the kernel limits those); past that the oldest goes back to the operating system for good, and a late free of
/// one of its blocks can no longer be told apart from a free of a foreign pointer.
/// </summary>
internal static unsafe class DisposedArenas
{
    /// <summary>The most arena ranges kept reserved: with 1 MiB arenas, 4 GiB of address space and no memory.</summary>
    public const int MaxRetired = 4096;

    private static readonly object s_lock = new();
    private static readonly Queue<nuint> s_order = new();
    private static readonly HashSet<nuint> s_bases = new();

    /// <summary>Gives a disposed heap's arena back to the operating system, keeping its range reserved when it can.</summary>
    public static void Retire(byte* arenaBase, nuint arenaSize)
    {
        if (!OsMemory.TryRetire(arenaBase, arenaSize))
        {
            OsMemory.Free(arenaBase, arenaSize);
            return;
        }

        lock (s_lock)
        {
            s_order.Enqueue((nuint)arenaBase);
            s_bases.Add((nuint)arenaBase);
            if (s_order.Count > MaxRetired)
            {
                nuint oldest = s_order.Dequeue();
                s_bases.Remove(oldest);
                OsMemory.Free((byte*)oldest, arenaSize);
            }
        }
    }

    /// <summary>True when <paramref name="address"/> is in the kept range of a disposed heap's arena (error paths only).</summary>
    public static bool Contains(nuint address)
    {
        lock (s_lock)
        {
            return s_bases.Count != 0 && s_bases.Contains(address & HeapGeometry.ArenaMask);
        }
    }
}

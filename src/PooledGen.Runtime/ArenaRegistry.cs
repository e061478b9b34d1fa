using System.Runtime.CompilerServices;

namespace PooledGen;

/// <summary>
/// Every live arena of every heap, for the question the untyped free path asks before it reads any header: "is this
/// address ours?" (pymalloc's <c>address_in_range</c>, made exact by aligned arenas). A radix tree over addresses in
/// native memory (<see cref="ArenaAddressMap"/>): readers search it without a lock in two dependent loads; writers,
/// on the arena slow path only, take a lock and never allocate on the GC heap.
/// </summary>
/// <remarks>
/// <see cref="Contains"/> never reads <see cref="HeapGeometry"/>: before the first arena every lookup ends at an
/// empty root slot, so a foreign pointer freed before any allocation does not freeze the start-up settings.
/// </remarks>
internal static class ArenaRegistry
{
    private static readonly object s_writeLock = new();

    // Never freed: the root is 32 KiB and leaves are added only as arenas land in new 64 GiB windows.
    private static readonly ArenaAddressMap s_map = ArenaAddressMap.Create();

    /// <summary>True when <paramref name="address"/> (usually an arena base) lies in a live arena.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Contains(nuint address) => s_map.Contains(address);

    /// <summary>Adds a new arena, of <see cref="HeapGeometry.ArenaSize"/> bytes. On failure nothing has changed.</summary>
    /// <exception cref="System.InvalidOperationException">The arena lies above the covered addresses (see <see cref="ArenaAddressMap"/>).</exception>
    /// <exception cref="System.OutOfMemoryException">No native memory for the registry.</exception>
    public static void Add(nuint arenaBase)
    {
        lock (s_writeLock)
        {
            s_map.Add(arenaBase, HeapGeometry.ArenaSize);
        }
    }

    /// <summary>Removes an arena about to be returned to the operating system.</summary>
    public static void Remove(nuint arenaBase)
    {
        lock (s_writeLock)
        {
            s_map.Remove(arenaBase, HeapGeometry.ArenaSize);
        }
    }
}

using System.Numerics;

namespace PooledGen;

/// <summary>
/// The process-wide arena and pool sizes, fixed the first time any heap is created. They are <c>static readonly</c>
/// so that the JIT folds them into the fast paths as constants: finding a block's pool is one AND.
/// </summary>
internal static class HeapGeometry
{
    /// <summary>Bytes per arena (a power of two; arenas are aligned to it).</summary>
    public static readonly int ArenaSize;

    /// <summary>Bytes per pool (a power of two; pools are aligned to it).</summary>
    public static readonly int PoolSize;

    /// <summary>log2 of <see cref="PoolSize"/>: turns an offset in an arena into a pool index.</summary>
    public static readonly int PoolShift;

    /// <summary>Pools per arena.</summary>
    public static readonly int PoolsPerArena;

    /// <summary>Clears the low bits of an address to give the start of its arena.</summary>
    public static readonly nuint ArenaMask;

    /// <summary>Clears the low bits of an address to give the start (the header) of its pool.</summary>
    public static readonly nuint PoolMask;

    /// <summary>The cap on reserved bytes of the shared heap, taken from the same start-up settings.</summary>
    public static readonly long SharedHeapMaxReservedBytes;

    static HeapGeometry()
    {
        PooledHeapOptions options = StartupConfiguration.Freeze();
        ArenaSize = options.ArenaSize;
        PoolSize = options.PoolSize;
        PoolShift = BitOperations.Log2((uint)PoolSize);
        PoolsPerArena = ArenaSize / PoolSize;
        ArenaMask = ~(nuint)(ArenaSize - 1);
        PoolMask = ~(nuint)(PoolSize - 1);
        SharedHeapMaxReservedBytes = options.MaxReservedBytes;
    }
}

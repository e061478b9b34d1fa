using System.Numerics;

namespace PooledGen;

/// <summary>
/// The process-wide arena and pool sizes, fixed the first time any heap is created. They are <c>static readonly</c>
/// so that the JIT folds them into the fast paths as constants: finding a block's pool is one AND.
/// </summary>
/// <remarks>
/// <para>
/// The rule: this class is touched only after <see cref="StartupConfiguration.Freeze()"/> has succeeded, and its
/// static constructor cannot throw. A type initialiser that throws fails every later use of its type, so a bad
/// setting read here would stick for the life of the process as a <see cref="System.TypeInitializationException"/>,
/// even after a corrective <see cref="PooledHeap.Configure(PooledHeapOptions)"/>. Reading the settings is
/// <c>Freeze</c>'s job; it throws the setting's own exception and fixes nothing when it fails.
/// </para>
/// <para>
/// The paths that may touch this class first, and how each freezes before it does: <c>new ArenaHeap()</c> (its
/// constructor freezes first); everything that reaches <see cref="PooledHeap"/>'s shared heap, among them generated
/// <c>T.Alloc()</c> (<see cref="PooledHeap.Alloc{T}()"/>, whose thread has no thread heap yet, takes the slow path to
/// <c>PooledHeap.Shared</c>, created by <c>CreateShared</c>, which freezes first) and
/// <see cref="PooledHeap.GetStatistics"/>; <see cref="PooledHeap.Free(void*)"/> of any pointer before any heap
/// (it freezes first: no heap means no block, and masking the pointer reads the geometry). Typed frees need a handle,
/// which only a heap hands out. Should a path ever miss the rule, the constructor still does not throw (see
/// <see cref="StartupConfiguration.FrozenForGeometry"/>).
/// </para>
/// <para>
/// The explicit static constructor is deliberate: it keeps the type's initialisation precise (no
/// <c>beforefieldinit</c>), so the runtime runs it at the first read of a field, never earlier, e.g. when a method
/// that reads a field is compiled before the settings are frozen.
/// </para>
/// </remarks>
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

    static HeapGeometry()
    {
        PooledHeapOptions options = StartupConfiguration.FrozenForGeometry();
        ArenaSize = options.ArenaSize;
        PoolSize = options.PoolSize;
        PoolShift = BitOperations.Log2((uint)PoolSize);
        PoolsPerArena = ArenaSize / PoolSize;
        ArenaMask = ~(nuint)(ArenaSize - 1);
        PoolMask = ~(nuint)(PoolSize - 1);
    }
}

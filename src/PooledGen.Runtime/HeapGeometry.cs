using System;
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

/// <summary>
/// The start-up settings until the heap is first used: <see cref="PooledHeap.Configure(PooledHeapOptions)"/> may
/// store options until then; the first heap freezes them (or, when none were stored, reads the switches).
/// </summary>
internal static class StartupConfiguration
{
    private static readonly object s_lock = new();
    private static PooledHeapOptions? s_configured;
    private static PooledHeapOptions? s_frozen;

    /// <summary>True once the settings are fixed.</summary>
    public static bool IsFrozen
    {
        get
        {
            lock (s_lock)
            {
                return s_frozen is not null;
            }
        }
    }

    /// <summary>Stores validated options for the first heap.</summary>
    public static void Configure(PooledHeapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PooledHeapOptions copy = options.Clone();
        copy.Validate();
        lock (s_lock)
        {
            if (s_frozen is not null)
            {
                throw new InvalidOperationException(
                    "PooledGen: PooledHeap.Configure must be called before the first allocation; the heap is already in use with " +
                    $"arenas of {s_frozen.ArenaSize} bytes and pools of {s_frozen.PoolSize} bytes.");
            }

            s_configured = copy;
        }
    }

    /// <summary>Fixes the settings and returns them; later calls to <see cref="Configure"/> throw.</summary>
    public static PooledHeapOptions Freeze()
    {
        lock (s_lock)
        {
            s_frozen ??= s_configured ?? PooledHeapOptions.FromSwitches(AppContext.GetData, Environment.GetEnvironmentVariable);
            return s_frozen;
        }
    }
}

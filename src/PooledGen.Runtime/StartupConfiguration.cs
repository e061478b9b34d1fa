using System;
using System.Threading;

namespace PooledGen;

/// <summary>
/// The start-up settings until the heap is first used: <see cref="PooledHeap.Configure(PooledHeapOptions)"/> may
/// store options until then; the first heap freezes them (or, when none were stored, reads the switches).
/// </summary>
/// <remarks>
/// <see cref="Freeze()"/> is the one start-up choke point: every heap's creation passes it before anything reads
/// <see cref="HeapGeometry"/>. A freeze that fails (a 32-bit process, a bad switch) throws its own exception and fixes
/// nothing, so the caller can correct the settings with <see cref="Configure"/> and try again.
/// </remarks>
internal static class StartupConfiguration
{
    private static readonly object s_lock = new();
    private static PooledHeapOptions? s_configured;
    private static PooledHeapOptions? s_frozen;

    /// <summary>True once the settings are fixed. Takes no lock: cheap enough for an entry point to test.</summary>
    public static bool IsFrozen => Volatile.Read(ref s_frozen) is not null;

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
    /// <exception cref="PlatformNotSupportedException">The process is not 64-bit; nothing was fixed.</exception>
    /// <exception cref="InvalidOperationException">An AppContext switch or environment variable is bad; nothing was fixed.</exception>
    public static PooledHeapOptions Freeze() => Freeze(IntPtr.Size);

    /// <summary><see cref="Freeze()"/> for a process whose pointers are <paramref name="pointerSize"/> bytes (tests pass 4).</summary>
    internal static PooledHeapOptions Freeze(int pointerSize)
    {
        ProcessBitness.Require64Bit(pointerSize);
        PooledHeapOptions? frozen = Volatile.Read(ref s_frozen);
        if (frozen is not null)
        {
            return frozen;
        }

        lock (s_lock)
        {
            // Published only once read and valid: a read that throws leaves nothing frozen.
            if (s_frozen is null)
            {
                Volatile.Write(ref s_frozen, s_configured ?? ReadSwitches());
            }

            return s_frozen!;
        }
    }

    /// <summary>
    /// The settings for <see cref="HeapGeometry"/>'s static constructor, which must not throw: a type initialiser that
    /// throws breaks its type for the life of the process. Every path that reads the geometry passes
    /// <see cref="Freeze()"/> first, so this returns what is frozen. Should a path ever miss it, the settings are frozen
    /// here, and when they cannot be read the defaults are frozen instead, so that the geometry and the settings can
    /// never disagree.
    /// </summary>
    internal static PooledHeapOptions FrozenForGeometry()
    {
        lock (s_lock)
        {
            if (s_frozen is null)
            {
                PooledHeapOptions options;
                try
                {
                    options = s_configured ?? ReadSwitches();
                }
                catch (InvalidOperationException)
                {
                    options = new PooledHeapOptions();
                }

                Volatile.Write(ref s_frozen, options);
            }

            return s_frozen!;
        }
    }

    /// <summary>The frozen purge delay in milliseconds (-1: never): the default for every heap made from now on.</summary>
    public static long PurgeDelayMilliseconds => Freeze().PurgeDelayMilliseconds;

    private static PooledHeapOptions ReadSwitches() =>
        PooledHeapOptions.FromSwitches(AppContext.GetData, Environment.GetEnvironmentVariable);
}

using System;

namespace PooledGen;

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

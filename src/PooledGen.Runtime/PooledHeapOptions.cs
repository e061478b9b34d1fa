using System;

namespace PooledGen;

/// <summary>
/// Start-up settings of the PooledGen allocator. Arena and pool sizes are process-wide: set them once, before the
/// first allocation, with <see cref="PooledHeap.Configure(PooledHeapOptions)"/>, with the AppContext switches
/// (<c>PooledGen.ArenaSize</c>, <c>PooledGen.PoolSize</c>, <c>PooledGen.MaxReservedBytes</c>,
/// <c>PooledGen.PurgeDelay</c>, e.g. as <c>RuntimeHostConfigurationOption</c> items) or with the environment variables
/// <c>POOLEDGEN_ARENA_SIZE</c>, <c>POOLEDGEN_POOL_SIZE</c>, <c>POOLEDGEN_MAX_RESERVED_BYTES</c> and
/// <c>POOLEDGEN_PURGE_DELAY_MS</c>, in that order of precedence. Values are read once.
/// </summary>
/// <remarks>
/// A switch or variable PooledGen cannot use (not a number, or out of range) is refused at the first use of a heap
/// with an <see cref="InvalidOperationException"/> that names it and its value, e.g.
/// <c>PooledGen: the environment variable POOLEDGEN_ARENA_SIZE is 'abc', which is not a whole number of bytes ...</c>.
/// Nothing is fixed by a refused read: correct the setting, or call
/// <see cref="PooledHeap.Configure(PooledHeapOptions)"/>, and the next use of a heap starts with the corrected settings.
/// PooledGen runs in 64-bit processes only: in a 32-bit process the first use of a heap throws
/// <see cref="PlatformNotSupportedException"/>.
/// </remarks>
/// <example>
/// <code>
/// PooledHeap.Configure(new PooledHeapOptions { ArenaSize = 1 &lt;&lt; 20, PoolSize = 16 &lt;&lt; 10 });
/// </code>
/// </example>
public sealed class PooledHeapOptions
{
    /// <summary>The default arena size: 1 MiB, as CPython's since 3.10 (16 pools of the default size).</summary>
    public const int DefaultArenaSize = 1024 * 1024;

    /// <summary>
    /// The default pool size: 32 KiB; holds 2,036 blocks of 16 bytes or 63 of 512 after its header. Larger pools than
    /// CPython's 16 KiB mean fewer pool switches when frees are scattered; smaller ones, a finer grain for giving memory
    /// back. Measured on larson (2 threads, 16-512 bytes): against 32 KiB, 16 KiB pools cost about 20% of the throughput,
    /// and 64 KiB pools hold about 1.3x the memory (each thread keeps a pool of every class it uses) for at most 5% more.
    /// </summary>
    public const int DefaultPoolSize = 32 * 1024;

    /// <summary>The smallest pool: 4 KiB (one page), which still holds seven 512-byte blocks after its header.</summary>
    public const int MinPoolSize = 4 * 1024;

    /// <summary>The largest pool: 1 MiB. Bigger pools only delay the moment an empty one can be given back.</summary>
    public const int MaxPoolSize = 1024 * 1024;

    /// <summary>The smallest arena: 64 KiB, the granularity at which operating systems map memory on Windows.</summary>
    public const int MinArenaSize = 64 * 1024;

    /// <summary>The largest arena: 1 GiB.</summary>
    public const int MaxArenaSize = 1024 * 1024 * 1024;

    /// <summary>
    /// The most pools an arena may hold: the arena ordering keeps one list per free-pool count, and an arena with
    /// thousands of pools would rarely become empty enough to be returned.
    /// </summary>
    public const int MaxPoolsPerArena = 4096;

    /// <summary>
    /// Bytes per arena, the unit taken from and returned to the operating system. A power of two between
    /// <see cref="MinArenaSize"/> and <see cref="MaxArenaSize"/>, at least twice <see cref="PoolSize"/>.
    /// Arenas are aligned to their size, so a block's arena is found by masking its address.
    /// </summary>
    public int ArenaSize { get; set; } = DefaultArenaSize;

    /// <summary>
    /// Bytes per pool, the unit one size class takes from an arena. A power of two between
    /// <see cref="MinPoolSize"/> and <see cref="MaxPoolSize"/>.
    /// </summary>
    public int PoolSize { get; set; } = DefaultPoolSize;

    /// <summary>
    /// A cap on the bytes the heap holds from the operating system (arenas and large objects); 0, the default,
    /// means no cap. An allocation that would pass it throws <see cref="OutOfMemoryException"/>.
    /// </summary>
    public long MaxReservedBytes { get; set; }

    /// <summary>The default purge delay (see <see cref="PurgeDelay"/>).</summary>
    public static readonly TimeSpan DefaultPurgeDelay = TimeSpan.FromMilliseconds(DefaultPurgeDelayMilliseconds);

    /// <summary>The longest purge delay: one hour.</summary>
    public static readonly TimeSpan MaxPurgeDelay = TimeSpan.FromHours(1);

    internal const long DefaultPurgeDelayMilliseconds = 1000;

    /// <summary>
    /// How long memory freed back to an arena is kept before it goes back to the operating system (every heap, set
    /// once). A pool returned to its arena keeps its pages for this long, so that memory freed and allocated again
    /// within the delay (a burst, a frame, a request) is reused without page faults; then the purge decommits it (it
    /// leaves the process's RSS at once while its addresses stay reserved), and an arena with no pool in use goes back
    /// to the operating system. The purge runs on a timer, only while something is waiting, so an idle program gets
    /// its memory back without calling the allocator. <see cref="TimeSpan.Zero"/> purges at once (every pool return is
    /// a system call); <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> never purges (only <c>Trim()</c> gives
    /// memory back). Default: one second (mimalloc 3 also waits one second; jemalloc ten). Also the AppContext switch
    /// <c>PooledGen.PurgeDelay</c> or the environment variable <c>POOLEDGEN_PURGE_DELAY_MS</c>, in milliseconds (-1 for never).
    /// </summary>
    public TimeSpan PurgeDelay { get; set; } = DefaultPurgeDelay;

    /// <summary>Checks every setting and throws on the first one out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message says which and why.</exception>
    public void Validate()
    {
        if (FindProblem() is (string setting, long value, string reason))
        {
            throw new ArgumentOutOfRangeException(setting, value, "PooledGen: " + reason);
        }
    }

    /// <summary>A copy, so that options handed to the heap cannot be changed behind its back.</summary>
    internal PooledHeapOptions Clone() => new() { ArenaSize = ArenaSize, PoolSize = PoolSize, MaxReservedBytes = MaxReservedBytes, PurgeDelay = PurgeDelay };

    /// <summary>The purge delay in whole milliseconds; -1 for never.</summary>
    internal long PurgeDelayMilliseconds => PurgeDelay == System.Threading.Timeout.InfiniteTimeSpan ? -1 : (long)PurgeDelay.TotalMilliseconds;

    /// <summary>
    /// Options from the AppContext switches, then the environment, then the defaults, validated.
    /// The two sources are parameters so that tests can supply their own.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// A switch is not a number, or out of range; the message names the switch or variable, its value and the fix.
    /// </exception>
    internal static PooledHeapOptions FromSwitches(Func<string, object?> appContextData, Func<string, string?> environment)
    {
        StartupSwitch? arena = StartupSwitch.Read("PooledGen.ArenaSize", "POOLEDGEN_ARENA_SIZE", int.MaxValue, appContextData, environment);
        StartupSwitch? pool = StartupSwitch.Read("PooledGen.PoolSize", "POOLEDGEN_POOL_SIZE", int.MaxValue, appContextData, environment);
        StartupSwitch? cap = StartupSwitch.Read("PooledGen.MaxReservedBytes", "POOLEDGEN_MAX_RESERVED_BYTES", long.MaxValue, appContextData, environment);
        StartupSwitch? purge = StartupSwitch.Read("PooledGen.PurgeDelay", "POOLEDGEN_PURGE_DELAY_MS", (long)MaxPurgeDelay.TotalMilliseconds, appContextData, environment, "milliseconds");
        var options = new PooledHeapOptions
        {
            ArenaSize = (int)(arena?.Value ?? DefaultArenaSize),
            PoolSize = (int)(pool?.Value ?? DefaultPoolSize),
            MaxReservedBytes = cap?.Value ?? 0,
            PurgeDelay = purge is null ? DefaultPurgeDelay
                : purge.Value == -1 ? System.Threading.Timeout.InfiniteTimeSpan
                : TimeSpan.FromMilliseconds(purge.Value),
        };

        if (options.FindProblem() is (string setting, _, string reason))
        {
            StartupSwitch? culprit = setting switch
            {
                nameof(ArenaSize) => arena,
                nameof(PoolSize) => pool,
                nameof(PurgeDelay) => purge,
                _ => cap,
            };

            // Arena and pool sizes must fit together: when only one of them was set, it is the one to name.
            if (culprit is null && setting is nameof(ArenaSize) or nameof(PoolSize))
            {
                culprit = arena ?? pool;
            }
            throw StartupSwitch.OutOfRange(culprit, reason);
        }

        return options;
    }

    // The first setting out of range, with its value and why (one place decides, for Validate and for the switches).
    private (string Setting, long Value, string Reason)? FindProblem()
    {
        if (OutOfPowerOfTwoRange(ArenaSize, MinArenaSize, MaxArenaSize, nameof(ArenaSize)) is { } arena)
        {
            return (nameof(ArenaSize), ArenaSize, arena);
        }

        if (OutOfPowerOfTwoRange(PoolSize, MinPoolSize, MaxPoolSize, nameof(PoolSize)) is { } pool)
        {
            return (nameof(PoolSize), PoolSize, pool);
        }

        if (PoolSize > ArenaSize / 2)
        {
            return (nameof(PoolSize), PoolSize,
                $"PoolSize ({PoolSize} bytes) must be at most half of ArenaSize ({ArenaSize} bytes), so that an arena holds at least two pools.");
        }

        if (ArenaSize / PoolSize > MaxPoolsPerArena)
        {
            return (nameof(ArenaSize), ArenaSize,
                $"an arena of {ArenaSize} bytes would hold {ArenaSize / PoolSize} pools of {PoolSize} bytes; at most {MaxPoolsPerArena} are allowed. Raise PoolSize or lower ArenaSize.");
        }

        if (MaxReservedBytes < 0)
        {
            return (nameof(MaxReservedBytes), MaxReservedBytes, "MaxReservedBytes must be 0 (no cap) or a positive number of bytes.");
        }

        if (PurgeDelay != System.Threading.Timeout.InfiniteTimeSpan && (PurgeDelay < TimeSpan.Zero || PurgeDelay > MaxPurgeDelay))
        {
            return (nameof(PurgeDelay), (long)PurgeDelay.TotalMilliseconds,
                $"PurgeDelay must be between 0 and {MaxPurgeDelay.TotalMilliseconds:0} milliseconds, or infinite (-1: never purge); it is {PurgeDelay.TotalMilliseconds:0} milliseconds.");
        }

        return null;
    }

    private static string? OutOfPowerOfTwoRange(int value, int min, int max, string name) =>
        value < min || value > max || (value & (value - 1)) != 0
            ? $"{name} must be a power of two between {min} and {max} bytes; it is {value}."
            : null;
}

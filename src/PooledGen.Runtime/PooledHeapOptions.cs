using System;
using System.Globalization;

namespace PooledGen;

/// <summary>
/// Start-up settings of the PooledGen allocator. Arena and pool sizes are process-wide: set them once, before the
/// first allocation, with <see cref="PooledHeap.Configure(PooledHeapOptions)"/>, with the AppContext switches
/// (<c>PooledGen.ArenaSize</c>, <c>PooledGen.PoolSize</c>, <c>PooledGen.MaxReservedBytes</c>, e.g. as
/// <c>RuntimeHostConfigurationOption</c> items) or with the environment variables <c>POOLEDGEN_ARENA_SIZE</c>,
/// <c>POOLEDGEN_POOL_SIZE</c> and <c>POOLEDGEN_MAX_RESERVED_BYTES</c>, in that order of precedence. Values are
/// read once.
/// </summary>
/// <example>
/// <code>
/// PooledHeap.Configure(new PooledHeapOptions { ArenaSize = 1 &lt;&lt; 20, PoolSize = 16 &lt;&lt; 10 });
/// </code>
/// </example>
public sealed class PooledHeapOptions
{
    /// <summary>The default arena size: 256 KiB, the size CPython uses without its radix tree.</summary>
    public const int DefaultArenaSize = 256 * 1024;

    /// <summary>The default pool size: 16 KiB, CPython's on 64-bit; holds 1,016 blocks of 16 bytes or 31 of 512 after its header.</summary>
    public const int DefaultPoolSize = 16 * 1024;

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

    /// <summary>Checks every setting and throws on the first one out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message says which and why.</exception>
    public void Validate()
    {
        CheckPowerOfTwoInRange(ArenaSize, MinArenaSize, MaxArenaSize, nameof(ArenaSize));
        CheckPowerOfTwoInRange(PoolSize, MinPoolSize, MaxPoolSize, nameof(PoolSize));
        if (PoolSize > ArenaSize / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(PoolSize), PoolSize,
                $"PooledGen: PoolSize ({PoolSize} bytes) must be at most half of ArenaSize ({ArenaSize} bytes), so that an arena holds at least two pools.");
        }

        if (ArenaSize / PoolSize > MaxPoolsPerArena)
        {
            throw new ArgumentOutOfRangeException(nameof(ArenaSize), ArenaSize,
                $"PooledGen: an arena of {ArenaSize} bytes would hold {ArenaSize / PoolSize} pools of {PoolSize} bytes; at most {MaxPoolsPerArena} are allowed. Raise PoolSize or lower ArenaSize.");
        }

        if (MaxReservedBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReservedBytes), MaxReservedBytes,
                "PooledGen: MaxReservedBytes must be 0 (no cap) or a positive number of bytes.");
        }
    }

    /// <summary>A copy, so that options handed to the heap cannot be changed behind its back.</summary>
    internal PooledHeapOptions Clone() => new() { ArenaSize = ArenaSize, PoolSize = PoolSize, MaxReservedBytes = MaxReservedBytes };

    /// <summary>
    /// Options from the AppContext switches, then the environment, then the defaults, validated.
    /// The two sources are parameters so that tests can supply their own.
    /// </summary>
    internal static PooledHeapOptions FromSwitches(Func<string, object?> appContextData, Func<string, string?> environment)
    {
        var options = new PooledHeapOptions
        {
            ArenaSize = (int)ReadSwitch("PooledGen.ArenaSize", "POOLEDGEN_ARENA_SIZE", DefaultArenaSize, int.MaxValue, appContextData, environment),
            PoolSize = (int)ReadSwitch("PooledGen.PoolSize", "POOLEDGEN_POOL_SIZE", DefaultPoolSize, int.MaxValue, appContextData, environment),
            MaxReservedBytes = ReadSwitch("PooledGen.MaxReservedBytes", "POOLEDGEN_MAX_RESERVED_BYTES", 0, long.MaxValue, appContextData, environment),
        };
        options.Validate();
        return options;
    }

    private static long ReadSwitch(string appContextName, string environmentName, long fallback, long max,
        Func<string, object?> appContextData, Func<string, string?> environment)
    {
        string source = appContextName;
        object? value = appContextData(appContextName);
        if (value is null)
        {
            source = environmentName;
            value = environment(environmentName);
        }

        switch (value)
        {
            case null:
                return fallback;
            case int i:
                return i;
            case long l when l <= max:
                return l;
            case string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) && parsed <= max:
                return parsed;
            default:
                throw new InvalidOperationException(
                    $"PooledGen: the setting {source} is '{value}', which is not a whole number of bytes up to {max}.");
        }
    }

    private static void CheckPowerOfTwoInRange(int value, int min, int max, string name)
    {
        if (value < min || value > max || (value & (value - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(name, value,
                $"PooledGen: {name} must be a power of two between {min} and {max} bytes; it is {value}.");
        }
    }
}

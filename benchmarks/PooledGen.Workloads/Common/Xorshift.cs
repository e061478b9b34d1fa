using System.Runtime.CompilerServices;

namespace PooledGen.Workloads;

/// <summary>
/// Marsaglia's xorshift64* generator: a value type with one word of state, so a timed loop draws numbers with a few
/// shifts and a multiply and no GC allocation (System.Random is a class, and its calls are virtual). Seeded through
/// splitmix64 so that any seed, 0 included, gives a well-mixed non-zero state: the same seed, the same sequence.
/// </summary>
internal struct Xorshift
{
    private ulong _state;

    public Xorshift(ulong seed)
    {
        var z = seed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        _state = (z ^ (z >> 31)) | 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Next()
    {
        var x = _state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _state = x;
        return x * 0x2545F4914F6CDD1DUL;
    }

    /// <summary>A number in [0, <paramref name="bound"/>), by Lemire's multiply-shift (no division in the loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint NextBelow(uint bound) => (uint)(((Next() >> 32) * bound) >> 32);

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle(int[] items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = (int)NextBelow((uint)i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

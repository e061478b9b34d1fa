using System;

namespace PooledGen.Workloads.Speed;

// The [Pooled] structs of the sizes the speed harness measures. The generator gives each its own Alloc(),
// Alloc(in value) and Free(), and their LocalHeap forms, which the PooledGen rows call exactly as user code would
// (IPooledThroughLocalHeap only lets the generic rows name the LocalHeap forms). First is the field every
// row writes into the block it got; the fixed buffer pads the struct to its size.

/// <summary>A 16-byte pooled struct.</summary>
[Pooled] public unsafe partial struct Block16 : IPooledThroughLocalHeap<Block16> { public long First; public fixed byte Rest[8]; }

/// <summary>A 32-byte pooled struct.</summary>
[Pooled] public unsafe partial struct Block32 : IPooledThroughLocalHeap<Block32> { public long First; public fixed byte Rest[24]; }

/// <summary>A 64-byte pooled struct.</summary>
[Pooled] public unsafe partial struct Block64 : IPooledThroughLocalHeap<Block64> { public long First; public fixed byte Rest[56]; }

/// <summary>A 128-byte pooled struct.</summary>
[Pooled] public unsafe partial struct Block128 : IPooledThroughLocalHeap<Block128> { public long First; public fixed byte Rest[120]; }

/// <summary>A 256-byte pooled struct.</summary>
[Pooled] public unsafe partial struct Block256 : IPooledThroughLocalHeap<Block256> { public long First; public fixed byte Rest[248]; }

/// <summary>A 512-byte pooled struct.</summary>
[Pooled] public unsafe partial struct Block512 : IPooledThroughLocalHeap<Block512> { public long First; public fixed byte Rest[504]; }

/// <summary>The managed equivalent of a payload: a class holding the same struct, so `new` moves the same bytes.</summary>
/// <typeparam name="T">The payload.</typeparam>
public sealed class Box<T> where T : unmanaged
{
    /// <summary>The payload, inline in the object.</summary>
    public T Value;
}

/// <summary>The value the copy rows (<c>T.Alloc(in value)</c>, malloc + copy) copy into each block: First set, the rest zero.</summary>
/// <typeparam name="T">The payload.</typeparam>
internal static class Template<T> where T : unmanaged
{
    public static readonly T Value = Make();

    private static T Make()
    {
        T value = default;
        System.Runtime.CompilerServices.Unsafe.As<T, long>(ref value) = 0x5EED;
        return value;
    }
}

/// <summary>Picks the payload struct of a size, so that a row written once for any T runs at every size.</summary>
internal static class Payloads
{
    public static readonly int[] Sizes = [16, 32, 64, 128, 256, 512];

    public static IRowHarness For<TRow>(int size) where TRow : ISizedRow => size switch
    {
        16 => TRow.For<Block16>(),
        32 => TRow.For<Block32>(),
        64 => TRow.For<Block64>(),
        128 => TRow.For<Block128>(),
        256 => TRow.For<Block256>(),
        512 => TRow.For<Block512>(),
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, $"No payload struct of {size} bytes; the sizes are {string.Join(", ", Sizes)}."),
    };
}

/// <summary>A row of the speed table, made for one payload type at a time.</summary>
internal interface ISizedRow
{
    static abstract IRowHarness For<T>() where T : unmanaged, IPooled<T>, IPooledThroughLocalHeap<T>;
}

using System.Numerics;
using PooledGen;

namespace Diagnostics;

/// <summary>64 bytes of plain data, to build large structs from.</summary>
public struct Block64
{
    public long A, B, C, D, E, F, G, H;
}

// PG0001 (warning): 640 bytes is over any threshold; it would take the large-object path.
[Pooled]
public partial struct Huge
{
    public Block64 P0, P1, P2, P3, P4, P5, P6, P7, P8, P9;
}

// PG0001 (warning): 320 bytes fits the default threshold of 512, but Diagnostics.csproj lowers it to 256.
[Pooled]
public partial struct Medium
{
    public Block64 P0, P1, P2, P3, P4;
}

// PG0002 (error): pooled memory is off the GC heap, so it cannot hold a reference the GC must see.
[Pooled]
public partial struct Named
{
    public int Id;
    public string Name;
}

// PG0003 (error): the generator adds Alloc/Free in another file, which needs `partial`.
[Pooled]
public struct Sealed
{
    public long Id, Version;
}

// PG0004 (error): a generic struct has no single size, so it has no single size class.
[Pooled]
public partial struct Box<T> where T : unmanaged
{
    public T Value;
}

// PG0005 (info, a warning in this project): the padding after Flag and Kind makes 24 bytes, served by the 32-byte
// class; ordered Timestamp, Count, Flag, Kind it is 16 bytes and fits the 16-byte class.
[Pooled]
public partial struct Padded
{
    public byte Flag;
    public long Timestamp;
    public byte Kind;
    public int Count;
}

// PG0006 (info, a warning in this project): Vector<float> is as wide as the processor's SIMD registers (16, 32 or
// 64 bytes), so the size is not known at compile time; PooledSize is -1 and allocation uses the runtime size.
[Pooled]
public partial struct Lanes
{
    public Vector<float> Values;
    public int Count;
}

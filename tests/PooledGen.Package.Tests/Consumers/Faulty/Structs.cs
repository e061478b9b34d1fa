using PooledGen;

namespace Faulty;

public struct Block64
{
    public long A, B, C, D, E, F, G, H;
}

// PG0001: 640 bytes, over any threshold.
[Pooled]
public partial struct Huge
{
    public Block64 P0, P1, P2, P3, P4, P5, P6, P7, P8, P9;
}

// PG0001 only because the project lowers PooledGenSmallObjectThreshold to 256: 320 bytes.
[Pooled]
public partial struct Medium
{
    public Block64 P0, P1, P2, P3, P4;
}

// PG0002: a reference field.
[Pooled]
public partial struct Named
{
    public int Id;
    public string Name;
}

// PG0003: not partial.
[Pooled]
public struct Sealed
{
    public int Id;
}

// PG0004: generic.
[Pooled]
public partial struct Box<T> where T : unmanaged
{
    public T Value;
}

using PooledGen;

namespace Particles;

/// <summary>A particle of the fountain: 48 bytes, served by the 48-byte size class.</summary>
[Pooled]
public partial struct Particle
{
    public float X, Y, VelocityX, VelocityY;
    public float Age, Life;
    public uint Color;
    public int Emitter;

    /// <summary>The particle's trail, or <see cref="Pooled{T}.Null"/>: the particle owns it and frees it with itself.</summary>
    public Pooled<Trail> Trail;
}

/// <summary>A short-lived spark thrown off by a new particle: 16 bytes, the smallest size class.</summary>
[Pooled]
public partial struct Spark
{
    public float X, Y, Life;
    public uint Color;
}

/// <summary>The last <see cref="Length"/> positions of a particle, as a ring: 200 bytes, served by the 208-byte class.</summary>
[Pooled]
public unsafe partial struct Trail
{
    public const int Length = 24;

    public fixed float Xs[Length];
    public fixed float Ys[Length];
    public int Head, Count;

    public void Add(float x, float y)
    {
        Xs[Head] = x;
        Ys[Head] = y;
        Head = (Head + 1) % Length;
        Count = Math.Min(Count + 1, Length);
    }
}

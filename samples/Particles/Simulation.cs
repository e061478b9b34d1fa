using System.Runtime.CompilerServices;

namespace Particles;

/// <summary>How much the fountain spawns and for how long it runs.</summary>
/// <param name="Frames">Frames to simulate, at 60 frames per simulated second.</param>
/// <param name="ParticlesPerFrame">New particles each frame, three times as many during the burst in the middle third of the run.</param>
/// <param name="SparkChance">Chance that a new particle throws off two sparks.</param>
/// <param name="TrailChance">Chance that a new particle drags a trail.</param>
/// <param name="ReportEvery">A progress line every this many frames.</param>
public sealed record SimulationSettings(int Frames = 180, int ParticlesPerFrame = 12_000, float SparkChance = 0.3f, float TrailChance = 0.05f, int ReportEvery = 15)
{
    /// <summary>
    /// New particles in frame <paramref name="frame"/> (1-based). The burst makes the heap grow and then shrink, so that
    /// the run shows arenas going back to the operating system while it goes on.
    /// </summary>
    public int ParticlesAt(int frame) => frame > Frames / 3 && frame <= 2 * Frames / 3 ? 3 * ParticlesPerFrame : ParticlesPerFrame;
}

/// <summary>
/// The rules of the fountain, shared by both worlds so that they do exactly the same work: the pooled world keeps
/// the structs in PooledGen blocks, the managed world wraps the same structs in class instances.
/// </summary>
public static class Simulation
{
    public const float FrameTime = 1f / 60f;
    private const float Gravity = -9.81f;
    private const int Emitters = 8;

    /// <summary>A new particle from one of the emitters, with a random speed, direction, colour and life.</summary>
    public static Particle Emit(ref Random32 random)
    {
        var emitter = random.Next(Emitters);
        var angle = 1.2f + 0.7f * random.NextFloat();
        var speed = 6f + 4f * random.NextFloat();
        return new Particle
        {
            X = emitter * 4f,
            Y = 0f,
            VelocityX = speed * MathF.Cos(angle),
            VelocityY = speed * MathF.Sin(angle),
            Life = 0.1f + 0.2f * random.NextFloat(),
            Color = 0xFF000000u | (uint)random.Next(0x1000000),
            Emitter = emitter,
        };
    }

    /// <summary>A spark at the particle's position.</summary>
    public static Spark Throw(in Particle particle, ref Random32 random) =>
        new() { X = particle.X, Y = particle.Y, Life = 0.05f + 0.2f * random.NextFloat(), Color = particle.Color };

    /// <summary>Moves the particle one frame; false when it has expired.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Step(ref Particle particle)
    {
        particle.VelocityY += Gravity * FrameTime;
        particle.X += particle.VelocityX * FrameTime;
        particle.Y += particle.VelocityY * FrameTime;
        if (particle.Y < 0f)
        {
            particle.Y = -particle.Y;
            particle.VelocityY = -0.5f * particle.VelocityY;
        }

        particle.Age += FrameTime;
        return particle.Age < particle.Life;
    }

    /// <summary>Ages the spark one frame; false when it has burnt out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Step(ref Spark spark)
    {
        spark.Life -= FrameTime;
        spark.Y -= 0.5f * FrameTime;
        return spark.Life > 0f;
    }
}

/// <summary>A small deterministic random generator (xorshift32), so both worlds see the same fountain.</summary>
public struct Random32(uint seed)
{
    private uint _state = seed == 0 ? 1u : seed;

    public int Next(int maxExclusive) => (int)(NextUInt() % (uint)maxExclusive);

    public float NextFloat() => (NextUInt() >> 8) * (1f / (1 << 24));

    private uint NextUInt()
    {
        var x = _state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return _state = x;
    }
}

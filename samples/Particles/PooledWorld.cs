using PooledGen;

namespace Particles;

/// <summary>
/// The fountain in PooledGen blocks: every particle, spark and trail is a <c>[Pooled]</c> struct allocated with the
/// generated <c>Alloc</c> and returned with <c>Free</c> the frame it expires. The lists hold only 8-byte handles, kept
/// in address order (<see cref="LiveBlocks{T}"/>), so that each frame walks the heap front to back as the class world
/// walks the GC heap. Each frame takes the thread's <see cref="LocalHeap"/> once and passes it to every <c>Alloc</c>
/// and <c>Free</c>, so that none of them looks the thread's heap up again.
/// </summary>
public sealed class PooledWorld : IWorld
{
    private readonly LiveBlocks<Particle> _particles;
    private readonly LiveBlocks<Spark> _sparks;

    public PooledWorld(int capacity)
    {
        _particles = new(capacity);
        _sparks = new(capacity);

        // One block of each type before the first frame. The frame loop is compiled once, fully optimised, at its first
        // call (Particles.csproj says why), and the JIT turns PooledGen's settings (debug mode off, each type's size
        // class) into constants only when they are initialised by then, as they are in a program that used its heap
        // before its hot loop.
        var heap = PooledHeap.Local;
        Particle.Free(heap, Particle.Alloc(heap));
        Spark.Free(heap, Spark.Alloc(heap));
        Trail.Free(heap, Trail.Alloc(heap));
    }

    public int LiveParticles => _particles.Count;
    public int LiveSparks => _sparks.Count;
    public int LiveTrails { get; private set; }
    public long Allocations { get; private set; }

    public void Frame(int frame, ref Random32 random, SimulationSettings settings)
    {
        var heap = PooledHeap.Local;
        var particles = _particles.StartWalk();
        while (particles.Next(out var particle))
        {
            ref var state = ref particle.Value;
            if (Simulation.Step(ref state))
            {
                if (!state.Trail.IsNull)
                {
                    state.Trail.Value.Add(state.X, state.Y);
                }

                particles.Keep(particle);
            }
            else
            {
                Expire(heap, particle, state.Trail);
            }
        }

        var sparks = _sparks.StartWalk();
        while (sparks.Next(out var spark))
        {
            if (Simulation.Step(ref spark.Value))
            {
                sparks.Keep(spark);
            }
            else
            {
                Spark.Free(heap, spark);
            }
        }

        for (var n = settings.ParticlesAt(frame); n > 0; n--)
        {
            var particle = Particle.Alloc(heap, Simulation.Emit(ref random));
            ref var state = ref particle.Value;
            Allocations++;
            if (random.NextFloat() < settings.TrailChance)
            {
                state.Trail = Trail.Alloc(heap);
                Allocations++;
                LiveTrails++;
            }

            if (random.NextFloat() < settings.SparkChance)
            {
                _sparks.Add(Spark.Alloc(heap, Simulation.Throw(state, ref random)));
                _sparks.Add(Spark.Alloc(heap, Simulation.Throw(state, ref random)));
                Allocations += 2;
            }

            _particles.Add(particle);
        }
    }

    public void Clear()
    {
        var heap = PooledHeap.Local;
        var particles = _particles.StartWalk();
        while (particles.Next(out var particle))
        {
            Expire(heap, particle, particle.Value.Trail);
        }

        var sparks = _sparks.StartWalk();
        while (sparks.Next(out var spark))
        {
            Spark.Free(heap, spark);
        }
    }

    private void Expire(LocalHeap heap, Pooled<Particle> particle, Pooled<Trail> trail)
    {
        if (!trail.IsNull)
        {
            Trail.Free(heap, trail);
            LiveTrails--;
        }

        Particle.Free(heap, particle);
    }
}

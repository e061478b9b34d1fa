using System.Runtime.InteropServices;
using PooledGen;

namespace Particles;

/// <summary>One way of storing the fountain; <see cref="Harness"/> runs both the same way.</summary>
public interface IWorld
{
    int LiveParticles { get; }
    int LiveSparks { get; }
    int LiveTrails { get; }
    long Allocations { get; }

    /// <summary>Moves everything one frame, expires what has died, spawns the new particles of frame <paramref name="frame"/>.</summary>
    void Frame(int frame, ref Random32 random, SimulationSettings settings);

    /// <summary>Lets go of everything still alive.</summary>
    void Clear();
}

/// <summary>What both worlds keep: the live particles and sparks, in lists, and the counts the harness reports.</summary>
public abstract class World<TParticle, TSpark>(int capacity) : IWorld
{
    protected readonly List<TParticle> _particles = new(capacity);
    protected readonly List<TSpark> _sparks = new(capacity);

    public int LiveParticles => _particles.Count;
    public int LiveSparks => _sparks.Count;
    public int LiveTrails { get; protected set; }
    public long Allocations { get; protected set; }

    public abstract void Frame(int frame, ref Random32 random, SimulationSettings settings);

    public abstract void Clear();
}

/// <summary>
/// The fountain in PooledGen blocks: every particle, spark and trail is a <c>[Pooled]</c> struct allocated with the
/// generated <c>Alloc</c> and returned with <c>Free</c> the frame it expires. The lists hold only 8-byte handles.
/// Each frame takes the thread's <see cref="LocalHeap"/> once and passes it to every <c>Alloc</c> and <c>Free</c>, so
/// that none of them looks the thread's heap up again.
/// </summary>
public sealed class PooledWorld(int capacity) : World<Pooled<Particle>, Pooled<Spark>>(capacity)
{
    public override void Frame(int frame, ref Random32 random, SimulationSettings settings)
    {
        var heap = PooledHeap.Local;
        for (var i = 0; i < _particles.Count;)
        {
            var particle = _particles[i];
            ref var state = ref particle.Value;
            if (Simulation.Step(ref state))
            {
                if (!state.Trail.IsNull)
                {
                    state.Trail.Value.Add(state.X, state.Y);
                }

                i++;
            }
            else
            {
                _particles.SwapRemoveAt(i);
                Expire(heap, particle);
            }
        }

        for (var i = 0; i < _sparks.Count;)
        {
            var spark = _sparks[i];
            if (Simulation.Step(ref spark.Value))
            {
                i++;
            }
            else
            {
                _sparks.SwapRemoveAt(i);
                Spark.Free(heap, spark);
            }
        }

        for (var n = settings.ParticlesAt(frame); n > 0; n--)
        {
            var particle = Particle.Alloc(heap, Simulation.Emit(ref random));
            Allocations++;
            if (random.NextFloat() < settings.TrailChance)
            {
                particle.Value.Trail = Trail.Alloc(heap);
                Allocations++;
                LiveTrails++;
            }

            if (random.NextFloat() < settings.SparkChance)
            {
                _sparks.Add(Spark.Alloc(heap, Simulation.Throw(particle.Value, ref random)));
                _sparks.Add(Spark.Alloc(heap, Simulation.Throw(particle.Value, ref random)));
                Allocations += 2;
            }

            _particles.Add(particle);
        }
    }

    public override void Clear()
    {
        var heap = PooledHeap.Local;
        foreach (var particle in _particles)
        {
            Expire(heap, particle);
        }

        foreach (var spark in _sparks)
        {
            Spark.Free(heap, spark);
        }

        _particles.Clear();
        _sparks.Clear();
    }

    private void Expire(LocalHeap heap, Pooled<Particle> particle)
    {
        var trail = particle.Value.Trail;
        if (!trail.IsNull)
        {
            Trail.Free(heap, trail);
            LiveTrails--;
        }

        Particle.Free(heap, particle);
    }
}

/// <summary>
/// The same fountain the way C# usually writes it: each particle, spark and trail is a class instance on the GC
/// heap, holding the same struct, and is simply dropped when it expires. The garbage collector does the freeing.
/// </summary>
public sealed class ManagedWorld(int capacity) : World<ManagedWorld.ParticleObject, ManagedWorld.SparkObject>(capacity)
{
    public sealed class ParticleObject(Particle state)
    {
        public Particle State = state;
        public TrailObject? Trail;
    }

    public sealed class SparkObject(Spark state)
    {
        public Spark State = state;
    }

    public sealed class TrailObject
    {
        public Trail State;
    }

    public override void Frame(int frame, ref Random32 random, SimulationSettings settings)
    {
        for (var i = 0; i < _particles.Count;)
        {
            var particle = _particles[i];
            if (Simulation.Step(ref particle.State))
            {
                particle.Trail?.State.Add(particle.State.X, particle.State.Y);
                i++;
            }
            else
            {
                _particles.SwapRemoveAt(i);
                if (particle.Trail is not null)
                {
                    LiveTrails--;
                }
            }
        }

        for (var i = 0; i < _sparks.Count;)
        {
            if (Simulation.Step(ref _sparks[i].State))
            {
                i++;
            }
            else
            {
                _sparks.SwapRemoveAt(i);
            }
        }

        for (var n = settings.ParticlesAt(frame); n > 0; n--)
        {
            var particle = new ParticleObject(Simulation.Emit(ref random));
            Allocations++;
            if (random.NextFloat() < settings.TrailChance)
            {
                particle.Trail = new TrailObject();
                Allocations++;
                LiveTrails++;
            }

            if (random.NextFloat() < settings.SparkChance)
            {
                _sparks.Add(new SparkObject(Simulation.Throw(particle.State, ref random)));
                _sparks.Add(new SparkObject(Simulation.Throw(particle.State, ref random)));
                Allocations += 2;
            }

            _particles.Add(particle);
        }
    }

    public override void Clear()
    {
        _particles.Clear();
        _sparks.Clear();
        LiveTrails = 0;
    }
}

internal static class ListExtensions
{
    /// <summary>Removes the item at <paramref name="index"/> in O(1) by moving the last item into its place.</summary>
    public static void SwapRemoveAt<T>(this List<T> list, int index)
    {
        var last = list.Count - 1;
        CollectionsMarshal.AsSpan(list)[index] = list[last];
        list.RemoveAt(last);
    }
}

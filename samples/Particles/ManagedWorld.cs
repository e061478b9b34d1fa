using System.Runtime.InteropServices;

namespace Particles;

/// <summary>
/// The same fountain the way C# usually writes it: each particle, spark and trail is a class instance on the GC
/// heap, holding the same struct, and is simply dropped when it expires. The garbage collector does the freeing.
/// The lists keep their objects in the order they were born and drop the dead ones in place, which keeps them in
/// memory order too: the GC allocates objects one after another and compacts the survivors without reordering them.
/// </summary>
public sealed class ManagedWorld(int capacity) : IWorld
{
    private readonly List<ParticleObject> _particles = new(capacity);
    private readonly List<SparkObject> _sparks = new(capacity);

    public int LiveParticles => _particles.Count;
    public int LiveSparks => _sparks.Count;
    public int LiveTrails { get; private set; }
    public long Allocations { get; private set; }

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

    public void Frame(int frame, ref Random32 random, SimulationSettings settings)
    {
        var particles = CollectionsMarshal.AsSpan(_particles);
        var kept = 0;
        foreach (var particle in particles)
        {
            if (Simulation.Step(ref particle.State))
            {
                particle.Trail?.State.Add(particle.State.X, particle.State.Y);
                particles[kept++] = particle;
            }
            else if (particle.Trail is not null)
            {
                LiveTrails--;
            }
        }

        _particles.RemoveRange(kept, particles.Length - kept);
        var sparks = CollectionsMarshal.AsSpan(_sparks);
        kept = 0;
        foreach (var spark in sparks)
        {
            if (Simulation.Step(ref spark.State))
            {
                sparks[kept++] = spark;
            }
        }

        _sparks.RemoveRange(kept, sparks.Length - kept);
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

    public void Clear()
    {
        _particles.Clear();
        _sparks.Clear();
        LiveTrails = 0;
    }
}

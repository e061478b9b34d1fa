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

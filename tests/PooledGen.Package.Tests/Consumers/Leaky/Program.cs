using System.Runtime.CompilerServices;
using PooledGen;

namespace Leaky;

[Pooled]
public partial struct Enemy
{
    public float X, Y, Health;
}

public static class Spawner
{
    // NoInlining: an inlined method has no frame of its own, and the optimizer (NativeAOT's above all) inlines
    // methods this small; the leak report would then name the caller.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Pooled<Enemy> SpawnWave() => Enemy.Alloc();

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Pooled<Enemy> SpawnScout() => Enemy.Alloc();

    // Generic code over any pooled struct calls the generated Alloc through IPooled<T>.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Pooled<T> Make<T>() where T : unmanaged, IPooled<T> => T.Alloc();
}

public static class Program
{
    public static int Main()
    {
        var kept = new List<Pooled<Enemy>>();
        for (var i = 0; i < 3; i++)
        {
            kept.Add(Spawner.SpawnWave());
        }

        kept.Add(Spawner.SpawnScout());
        kept.Add(Spawner.Make<Enemy>());

        // Freed: not in the report.
        Enemy.Free(Enemy.Alloc());

        PooledHeap.WriteLeakReport(Console.Out);
        Console.WriteLine($"debug={PooledHeap.IsDebugEnabled} live={PooledHeap.GetLiveAllocations().Count}");
        return 0;
    }
}

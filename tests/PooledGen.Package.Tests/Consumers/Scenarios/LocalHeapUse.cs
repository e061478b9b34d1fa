using System.Runtime.CompilerServices;
using PooledGen;

namespace Scenarios;

/// <summary>
/// The calling thread's heap held explicitly (the generated T.Alloc(LocalHeap) / T.Free(LocalHeap, h)), the handle's
/// size, the arena map, and a worker thread that allocates, hands its blocks over and detaches.
/// </summary>
public static class LocalHeapUse
{
    public static void AllocFreeMapAndDetach()
    {
        LocalHeap heap = PooledHeap.Local;
        Pooled<Enemy> enemy = Enemy.Alloc(heap);
        enemy.Value.Health = 3;
        Console.WriteLine($"Enemy.Alloc(heap): Health={enemy.Value.Health}");
        Console.WriteLine($"Unsafe.SizeOf<Pooled<Enemy>>()={Unsafe.SizeOf<Pooled<Enemy>>()}");
        PooledHeap.WriteArenaMap(Console.Out);
        Enemy.Free(heap, enemy);

        Console.WriteLine($"thread heaps before the worker: {PooledHeap.GetStatistics().ThreadHeaps}");
        var handedOver = new Pooled<Enemy>[100];
        var worker = new Thread(() =>
        {
            try
            {
                LocalHeap local = PooledHeap.Local;
                for (int i = 0; i < handedOver.Length; i++)
                {
                    handedOver[i] = Enemy.Alloc(local, new Enemy { Health = i });
                }

                Console.WriteLine($"thread heaps while the worker runs: {PooledHeap.GetStatistics().ThreadHeaps}");
            }
            finally
            {
                PooledHeap.DetachCurrentThread();
            }
        });
        worker.Start();
        worker.Join();

        PooledHeapStatistics detached = PooledHeap.GetStatistics();
        Console.WriteLine($"after the worker detached: thread heaps {detached.ThreadHeaps}, abandoned pools {detached.AbandonedPools}");
        float sum = 0;
        foreach (Pooled<Enemy> e in handedOver)
        {
            sum += e.Value.Health;
            Enemy.Free(e);
        }

        PooledHeapStatistics freed = PooledHeap.GetStatistics();
        Console.WriteLine($"main freed the worker's blocks: sum={sum} bytes in use {freed.BytesInUse}, allocations {freed.Allocations}, frees {freed.Frees}");
    }
}

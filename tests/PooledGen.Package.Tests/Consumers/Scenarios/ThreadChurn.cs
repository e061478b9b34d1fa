using PooledGen;

namespace Scenarios;

/// <summary>
/// Short-lived threads as a server has them, through the generated T.Alloc() / T.Free(): each new thread's first use
/// of the heap costs nothing on the GC heap; threads that end without DetachCurrentThread() are noticed when another
/// thread attaches, without a garbage collection; and blocks a dead thread left behind, freed by another thread, give
/// their pools to that thread and then back.
/// </summary>
public static class ThreadChurn
{
    public static void ShortLivedThreads()
    {
        Enemy.Free(Enemy.Alloc()); // the heap, its arena and this thread's part exist before the workers start
        long mostGcBytes = 0;
        for (int i = 0; i < 50; i++)
        {
            bool detach = i % 2 == 0;
            long gcBytes = 0;
            var worker = new Thread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                var mine = new Pooled<Enemy>[64];
                for (int k = 0; k < mine.Length; k++)
                {
                    mine[k] = Enemy.Alloc();
                    mine[k].Value.Health = k;
                }

                foreach (Pooled<Enemy> e in mine)
                {
                    Enemy.Free(e);
                }

                if (detach)
                {
                    PooledHeap.DetachCurrentThread();
                }

                // The array is the worker's own allocation, not PooledGen's.
                gcBytes = GC.GetAllocatedBytesForCurrentThread() - before - GcBytesOf(mine);
            });
            worker.Start();
            worker.Join();
            mostGcBytes = Math.Max(mostGcBytes, gcBytes);
        }

        Console.WriteLine($"most GC bytes in a new thread's T.Alloc()/T.Free()/DetachCurrentThread(): {mostGcBytes}");
        Console.WriteLine($"thread heaps once every worker's end was noticed: {ThreadHeapsOnceEndsAreNoticed()}");

        var leftBehind = new Pooled<Enemy>[1000];
        var holder = new Thread(() =>
        {
            for (int k = 0; k < leftBehind.Length; k++)
            {
                leftBehind[k] = Enemy.Alloc();
                leftBehind[k].Value.Health = 1;
            }
        });
        holder.Start();
        holder.Join();
        ThreadHeapsOnceEndsAreNoticed();
        PooledHeapStatistics abandoned = PooledHeap.GetStatistics();
        Console.WriteLine($"a thread ended holding 1000 blocks: abandoned pools {(abandoned.AbandonedPools > 0 ? "some" : "none")}");

        float health = 0;
        foreach (Pooled<Enemy> e in leftBehind)
        {
            health += e.Value.Health;
            Enemy.Free(e);
        }

        PooledHeapStatistics freed = PooledHeap.GetStatistics();
        Console.WriteLine($"main freed them: health {health}, bytes in use {freed.BytesInUse}, abandoned pools {freed.AbandonedPools}");
    }

    // The C library signals a thread's end as the thread exits, a little after Join returns: a new thread attaching
    // then notices every ended one. Tried a few times, a short sleep apart.
    private static int ThreadHeapsOnceEndsAreNoticed()
    {
        int threadHeaps = int.MaxValue;
        for (int attempt = 0; attempt < 100 && threadHeaps > 1; attempt++)
        {
            Thread.Sleep(10);
            var probe = new Thread(() =>
            {
                Enemy.Free(Enemy.Alloc());
                PooledHeap.DetachCurrentThread();
            });
            probe.Start();
            probe.Join();
            threadHeaps = PooledHeap.GetStatistics().ThreadHeaps;
        }

        return threadHeaps;
    }

    private static long GcBytesOf(Pooled<Enemy>[] array) => 24 + 8L * array.Length;
}

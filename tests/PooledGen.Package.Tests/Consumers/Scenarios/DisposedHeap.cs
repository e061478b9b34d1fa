using PooledGen;

namespace Scenarios;

/// <summary>
/// A block of a private heap freed after the heap was disposed, through every way a user can free it. Each must be
/// refused with an exception; none may touch the arena the heap gave back (that was a crash: exit 134).
/// </summary>
public static unsafe class DisposedHeap
{
    public static void FreeThroughEveryRoute()
    {
        var heap = new ArenaHeap();
        Pooled<Enemy> enemy = heap.Alloc<Enemy>();
        enemy.Value.Health = 100;
        nint block = (nint)heap.Allocate(40);
        heap.Dispose();

        Report.Try("heap.Free(h)", () => heap.Free(enemy));
        Report.Try("Enemy.Free(h)", () => Enemy.Free(enemy));
        Report.Try("h.Dispose()", () => enemy.Dispose());
        Report.Try("PooledHeap.Free(h)", () => PooledHeap.Free(enemy));
        Report.Try("PooledHeap.Local.Free(h)", () => PooledHeap.Local.Free(enemy));
        Report.Try("Enemy.Free(PooledHeap.Local, h)", () => Enemy.Free(PooledHeap.Local, enemy));
        Report.Try("PooledHeap.Free(void*)", () => PooledHeap.Free((void*)block));

        // The shared heap is unharmed.
        Pooled<Enemy> fresh = Enemy.Alloc();
        fresh.Value.Health = 1;
        Console.WriteLine($"shared heap after the refusals: Health={fresh.Value.Health}");
        Enemy.Free(fresh);
    }
}

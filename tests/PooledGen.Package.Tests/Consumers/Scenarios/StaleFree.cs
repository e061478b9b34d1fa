using PooledGen;

namespace Scenarios;

/// <summary>
/// A private debug heap, and a handle freed and then freed again, after another allocation, through every route. Each
/// must be refused naming Pooled&lt;Enemy&gt;, and must not free the block the other allocation owns.
/// </summary>
public static class StaleFree
{
    public static void OnAPrivateDebugHeap()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Enemy> stale = heap.Alloc<Enemy>();
        heap.Free(stale);
        Pooled<Enemy> current = heap.Alloc<Enemy>();
        current.Value.Health = 42;

        Report.Try("heap.Free(h)", () => heap.Free(stale));
        Report.Try("Enemy.Free(h)", () => Enemy.Free(stale));
        Report.Try("h.Dispose()", () => stale.Dispose());
        Report.Try("PooledHeap.Free(h)", () => PooledHeap.Free(stale));
        Report.Try("PooledHeap.Local.Free(h)", () => PooledHeap.Local.Free(stale));

        Console.WriteLine($"second allocation: Health={current.Value.Health} live={heap.GetLiveAllocations().Count}");
        Report.Try("heap.Free(second allocation)", () => heap.Free(current));
        Console.WriteLine($"after freeing it: live={heap.GetLiveAllocations().Count}");
    }
}

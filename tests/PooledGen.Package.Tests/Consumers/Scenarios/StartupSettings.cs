using PooledGen;

namespace Scenarios;

/// <summary>
/// Run with a bad POOLEDGEN_* environment variable: the first allocation must be refused by the setting's own
/// exception, and a corrective Configure afterwards must work (a bad setting used to stick for the life of the process).
/// </summary>
public static class StartupSettings
{
    public static void FirstAllocThenConfigure()
    {
        Report.Try("first Enemy.Alloc()", () => Enemy.Free(Enemy.Alloc()));
        Report.Try("second Enemy.Alloc()", () => Enemy.Free(Enemy.Alloc()));

        // Not the default arena size, so that the statistics show the configured options, not a fallback, were taken.
        Report.Try("PooledHeap.Configure(ArenaSize = 4 MiB)", () => PooledHeap.Configure(new PooledHeapOptions { ArenaSize = 4 << 20 }));
        Pooled<Enemy> enemy = Enemy.Alloc();
        enemy.Value.Health = 7;
        PooledHeapStatistics statistics = PooledHeap.GetStatistics();
        Console.WriteLine($"Enemy.Alloc() after Configure: Health={enemy.Value.Health} ArenaSize={statistics.ArenaSize} PoolSize={statistics.PoolSize}");
        Enemy.Free(enemy);
    }
}

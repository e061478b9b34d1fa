using System.Reflection;
using System.Runtime.Loader;

namespace PooledGen.Runtime.Tests;

/// <summary>
/// Configure must run before first use, which in this test process is long gone; so these tests load a fresh copy of
/// the runtime assembly in its own load context, with its own statics, and drive it by reflection.
/// </summary>
public class StartupConfigurationTests
{
    [Fact]
    public void Configure_before_first_use_sets_the_arena_and_pool_sizes_and_the_cap()
    {
        Type heap = LoadFreshRuntime().GetType("PooledGen.PooledHeap", throwOnError: true)!;
        object options = Activator.CreateInstance(heap.Assembly.GetType("PooledGen.PooledHeapOptions", throwOnError: true)!)!;
        options.GetType().GetProperty("ArenaSize")!.SetValue(options, 1 << 20);
        options.GetType().GetProperty("PoolSize")!.SetValue(options, 1 << 15);
        options.GetType().GetProperty("MaxReservedBytes")!.SetValue(options, 1L << 20);
        MethodInfo configure = heap.GetMethod("Configure")!;
        configure.Invoke(null, [options]);

        MethodInfo alloc = heap.GetMethods().Single(m => m.Name == "Alloc" && m.GetParameters().Length == 0).MakeGenericMethod(typeof(long));
        alloc.Invoke(null, null);
        object stats = heap.GetMethod("GetStatistics")!.Invoke(null, null)!;
        Assert.Equal(1 << 20, stats.GetType().GetProperty("ArenaSize")!.GetValue(stats));
        Assert.Equal(1 << 15, stats.GetType().GetProperty("PoolSize")!.GetValue(stats));
        Assert.Equal(1L << 20, stats.GetType().GetProperty("MaxReservedBytes")!.GetValue(stats));
        Assert.Equal(1L << 20, stats.GetType().GetProperty("BytesReserved")!.GetValue(stats));

        // One arena (about 65,000 blocks of 16 bytes) is the cap: the next arena is refused.
        Assert.IsType<OutOfMemoryException>(Assert.Throws<TargetInvocationException>(() =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                alloc.Invoke(null, null);
            }
        }).InnerException);

        // And the sizes can no longer change.
        var late = Assert.Throws<TargetInvocationException>(() => configure.Invoke(null, [options]));
        Assert.IsType<InvalidOperationException>(late.InnerException);
    }

    private static Assembly LoadFreshRuntime() =>
        new AssemblyLoadContext(nameof(StartupConfigurationTests)).LoadFromAssemblyPath(typeof(PooledHeap).Assembly.Location);
}

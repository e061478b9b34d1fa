using System.Runtime.CompilerServices;

namespace PooledGen.Runtime.Tests;

/// <summary>
/// The start-up settings are process-wide and read once, so each bad value runs in a child process
/// (<see cref="ChildProcess"/>): the first use of a heap must refuse it by its own name and value, fix nothing, and let
/// a corrective <see cref="PooledHeap.Configure(PooledHeapOptions)"/> work.
/// </summary>
public class BadStartupSettingTests
{
    [Fact]
    public void POOLEDGEN_ARENA_SIZE_that_is_not_a_number_is_refused_by_name_and_a_later_Configure_works() =>
        RunBadSetting(new() { ["POOLEDGEN_ARENA_SIZE"] = "abc" }, "POOLEDGEN_ARENA_SIZE", "abc");

    [Fact]
    public void POOLEDGEN_ARENA_SIZE_below_the_minimum_is_refused_by_name_and_a_later_Configure_works() =>
        RunBadSetting(new() { ["POOLEDGEN_ARENA_SIZE"] = "3" }, "POOLEDGEN_ARENA_SIZE", "3");

    [Fact]
    public void POOLEDGEN_POOL_SIZE_larger_than_the_arena_is_refused_by_name_and_a_later_Configure_works() =>
        RunBadSetting(new() { ["POOLEDGEN_ARENA_SIZE"] = "65536", ["POOLEDGEN_POOL_SIZE"] = "131072" }, "POOLEDGEN_POOL_SIZE", "131072");

    [Fact]
    public void Negative_POOLEDGEN_MAX_RESERVED_BYTES_is_refused_by_name_and_a_later_Configure_works() =>
        RunBadSetting(new() { ["POOLEDGEN_MAX_RESERVED_BYTES"] = "-1" }, "POOLEDGEN_MAX_RESERVED_BYTES", "-1");

    [Fact]
    public void A_bad_AppContext_switch_is_refused_by_its_name_and_a_later_Configure_works() =>
        ChildProcess.Run(typeof(BadStartupSettingProcess), nameof(BadStartupSettingProcess.BadAppContextSwitch),
            new Dictionary<string, string>(), "PooledGen.PoolSize", "5000");

    [Fact]
    public void HeapGeometry_touched_before_the_settings_are_frozen_does_not_throw_and_agrees_with_the_frozen_settings() =>
        ChildProcess.Run(typeof(BadStartupSettingProcess), nameof(BadStartupSettingProcess.GeometryTouchedFirst),
            new Dictionary<string, string> { ["POOLEDGEN_ARENA_SIZE"] = "abc" });

    private static void RunBadSetting(Dictionary<string, string> environment, string setting, string value) =>
        ChildProcess.Run(typeof(BadStartupSettingProcess), nameof(BadStartupSettingProcess.RefusedByNameThenConfigureWorks),
            environment, setting, value);
}

/// <summary>The scenarios of <see cref="BadStartupSettingTests"/>, run in a child process; each throws on failure.</summary>
public static unsafe class BadStartupSettingProcess
{
    // A pointer no heap handed out; before any heap, every non-null pointer is one.
    private static readonly void* s_foreign = (void*)0x7000_1000;

    /// <summary>
    /// Every path that could be the first to read the heap geometry refuses the bad setting with an
    /// <see cref="InvalidOperationException"/> naming <paramref name="setting"/> and <paramref name="value"/>, twice
    /// over (a refused read fixes nothing); then Configure, and allocation with the configured sizes, work.
    /// </summary>
    public static void RefusedByNameThenConfigureWorks(string setting, string value)
    {
        // Generated code registers its type at type initialisation: that reads no setting and must not fail.
        Assert.True(PooledHeap.RegisterType<Point3>("Tests.Point3", sizeof(Point3)));
        PooledHeap.Free(null);

        for (int attempt = 0; attempt < 2; attempt++)
        {
            AssertRefused(() => PooledHeap.Alloc<Point3>(), setting, value);     // generated T.Alloc(): the slow path creates the shared heap
            AssertRefused(() => PooledHeap.Allocate(5000), setting, value);      // the large-object path
            AssertRefused(() => PooledHeap.Free(s_foreign), setting, value);     // a free before any heap
            AssertRefused(() => PooledHeap.GetStatistics(), setting, value);
            AssertRefused(() => new ArenaHeap().Dispose(), setting, value);
        }

        PooledHeap.Configure(new PooledHeapOptions { ArenaSize = 1 << 20, PoolSize = 1 << 15, MaxReservedBytes = 64L << 20 });
        Pooled<Point3> p = PooledHeap.Alloc<Point3>();
        p.Value.X = 7;
        Assert.Equal(7, p.Value.X);
        PooledHeap.Free(p);

        PooledHeapStatistics stats = PooledHeap.GetStatistics();
        Assert.Equal((1 << 20, 1 << 15, 64L << 20), (stats.ArenaSize, stats.PoolSize, stats.MaxReservedBytes));
        Assert.Equal((1 << 20, 1 << 15), (HeapGeometry.ArenaSize, HeapGeometry.PoolSize));
        Assert.Contains("was not allocated by PooledGen", Assert.Throws<ArgumentException>(() => PooledHeap.Free(s_foreign)).Message);
    }

    /// <summary><see cref="RefusedByNameThenConfigureWorks"/> for an AppContext switch, which takes precedence over the environment.</summary>
    public static void BadAppContextSwitch(string name, string value)
    {
        AppContext.SetData(name, value);
        RefusedByNameThenConfigureWorks(name, value);
    }

    /// <summary>
    /// Should a path read HeapGeometry before the settings are frozen, its type initialiser still does not throw: it
    /// freezes the defaults in place of the unreadable setting, so the geometry and the settings agree.
    /// </summary>
    public static void GeometryTouchedFirst()
    {
        RuntimeHelpers.RunClassConstructor(typeof(HeapGeometry).TypeHandle);
        Assert.Equal(PooledHeapOptions.DefaultArenaSize, HeapGeometry.ArenaSize);
        Assert.True(StartupConfiguration.IsFrozen);
        Assert.Equal(PooledHeapOptions.DefaultArenaSize, PooledHeap.GetStatistics().ArenaSize);
        PooledHeap.Free(PooledHeap.Alloc<Point3>());
        Assert.Contains("already in use", Assert.Throws<InvalidOperationException>(() => PooledHeap.Configure(new PooledHeapOptions())).Message);
    }

    private static void AssertRefused(Action firstUse, string setting, string value)
    {
        Exception e = Record.Exception(firstUse) ?? throw new Xunit.Sdk.XunitException($"{setting}={value} was not refused");
        Assert.True(e is InvalidOperationException && e.GetType() == typeof(InvalidOperationException),
            $"expected the setting's own InvalidOperationException, got {e}");
        Assert.Contains($"{setting} is '{value}'", e.Message);
        Assert.Contains("PooledHeap.Configure", e.Message);
        Assert.False(StartupConfiguration.IsFrozen, "a refused setting must leave nothing frozen");
    }
}

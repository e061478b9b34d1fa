namespace PooledGen.Runtime.Tests;

public class OptionsTests
{
    [Fact]
    public void Default_options_are_valid_and_match_the_documented_sizes()
    {
        var options = new PooledHeapOptions();
        options.Validate();
        Assert.Equal(1024 * 1024, options.ArenaSize);
        Assert.Equal(32 * 1024, options.PoolSize);
        Assert.Equal(0, options.MaxReservedBytes);
    }

    [Theory]
    [InlineData(300_000, 16 * 1024, 0, "ArenaSize")] // not a power of two
    [InlineData(32 * 1024, 8 * 1024, 0, "ArenaSize")] // below the minimum
    [InlineData(256 * 1024, 12 * 1024, 0, "PoolSize")] // not a power of two
    [InlineData(256 * 1024, 2 * 1024, 0, "PoolSize")] // below the minimum
    [InlineData(256 * 1024, 256 * 1024, 0, "PoolSize")] // an arena must hold two pools
    [InlineData(1 << 30, 4 * 1024, 0, "ArenaSize")] // too many pools per arena
    [InlineData(256 * 1024, 16 * 1024, -1, "MaxReservedBytes")]
    public void Out_of_range_options_are_refused_with_the_setting_named(int arenaSize, int poolSize, long cap, string setting)
    {
        var options = new PooledHeapOptions { ArenaSize = arenaSize, PoolSize = poolSize, MaxReservedBytes = cap };
        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(setting, e.ParamName);
        Assert.Contains(setting, e.Message);

        // Configure validates before anything else.
        Assert.Throws<ArgumentOutOfRangeException>(() => PooledHeap.Configure(options));
    }

    [Fact]
    public void Configure_once_the_heap_is_in_use_throws_InvalidOperationException()
    {
        PooledHeap.Free(PooledHeap.Alloc<int>());
        var e = Assert.Throws<InvalidOperationException>(() => PooledHeap.Configure(new PooledHeapOptions()));
        Assert.Contains("before the first allocation", e.Message);
        Assert.True(StartupConfiguration.IsFrozen);
    }

    [Fact]
    public void Configure_of_null_throws_ArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => PooledHeap.Configure(null!));
    }

    [Fact]
    public void Switches_are_read_from_AppContext_first_then_the_environment()
    {
        var appContext = new Dictionary<string, object?> { ["PooledGen.ArenaSize"] = "1048576" };
        var environment = new Dictionary<string, string?>
        {
            ["POOLEDGEN_ARENA_SIZE"] = "65536",
            ["POOLEDGEN_POOL_SIZE"] = "4096",
            ["POOLEDGEN_MAX_RESERVED_BYTES"] = "33554432",
        };

        PooledHeapOptions options = PooledHeapOptions.FromSwitches(appContext.GetValueOrDefault, environment.GetValueOrDefault);
        Assert.Equal(1 << 20, options.ArenaSize);
        Assert.Equal(4096, options.PoolSize);
        Assert.Equal(32L << 20, options.MaxReservedBytes);

        PooledHeapOptions defaults = PooledHeapOptions.FromSwitches(_ => null, _ => null);
        Assert.Equal(PooledHeapOptions.DefaultArenaSize, defaults.ArenaSize);
        Assert.Equal(PooledHeapOptions.DefaultPoolSize, defaults.PoolSize);
    }

    [Fact]
    public void A_switch_that_is_not_a_number_is_refused_with_its_name()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            PooledHeapOptions.FromSwitches(_ => null, name => name == "POOLEDGEN_POOL_SIZE" ? "16k" : null));
        Assert.Contains("the environment variable POOLEDGEN_POOL_SIZE is '16k', which is not a whole number of bytes", e.Message);
        Assert.Contains("PooledHeap.Configure", e.Message);
    }

    [Theory]
    [InlineData("POOLEDGEN_ARENA_SIZE", "3", "ArenaSize must be a power of two")]
    [InlineData("POOLEDGEN_POOL_SIZE", "5000", "PoolSize must be a power of two")]
    [InlineData("POOLEDGEN_POOL_SIZE", "1048576", "PoolSize (1048576 bytes) must be at most half of ArenaSize (1048576 bytes)")]
    [InlineData("POOLEDGEN_MAX_RESERVED_BYTES", "-1", "MaxReservedBytes must be 0 (no cap) or a positive number")]
    public void An_environment_variable_out_of_range_is_refused_with_its_name_value_and_reason(string variable, string value, string reason)
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            PooledHeapOptions.FromSwitches(_ => null, name => name == variable ? value : null));
        Assert.Contains($"the environment variable {variable} is '{value}': {reason}", e.Message);
    }

    [Fact]
    public void An_AppContext_switch_out_of_range_is_refused_with_its_name_and_value()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            PooledHeapOptions.FromSwitches(name => name == "PooledGen.PoolSize" ? 5000 : null, _ => null));
        Assert.Contains("the AppContext switch PooledGen.PoolSize is '5000': PoolSize must be a power of two", e.Message);
    }

    [Fact]
    public void Of_two_settings_that_do_not_fit_together_the_one_at_fault_is_named()
    {
        // The arena is valid alone; the pool is too large for it.
        var e = Assert.Throws<InvalidOperationException>(() => PooledHeapOptions.FromSwitches(_ => null,
            name => name switch { "POOLEDGEN_ARENA_SIZE" => "65536", "POOLEDGEN_POOL_SIZE" => "131072", _ => null }));
        Assert.Contains("POOLEDGEN_POOL_SIZE is '131072': PoolSize (131072 bytes) must be at most half of ArenaSize (65536 bytes)", e.Message);
    }
}

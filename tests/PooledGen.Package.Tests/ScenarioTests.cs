namespace PooledGen.Package.Tests;

/// <summary>
/// The sharp edges of issue 13 tried as a new user meets them: Consumers/Scenarios, a console app that references only
/// the packed package, is built once and run once per scenario, each run its own process, so that a crash is an exit
/// code the test reads instead of a lost test run. Each scenario prints one line per call: <c>route => no exception</c>,
/// or the exception's full type name, for an <see cref="ObjectDisposedException"/> its <c>[ObjectName=...]</c>, and
/// its message.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed class ScenarioTests(PackageFeed feed)
{
    private const string Disposed = "System.ObjectDisposedException";

    [Fact]
    public void Freeing_a_block_of_a_disposed_heap_through_every_route_throws_and_the_process_lives_on()
    {
        var run = Run("free-after-dispose");

        // Before the fix the first typed free read the returned arena: "Fatal error", AccessViolationException, exit 134.
        Assert.True(run.ExitCode == 0, run.Describe());
        foreach (var route in new[] { "heap.Free(h)", "Enemy.Free(h)", "h.Dispose()", "PooledHeap.Free(h)", "PooledHeap.Local.Free(h)", "Enemy.Free(PooledHeap.Local, h)" })
        {
            AssertRefused(run, route, $"{Disposed} [ObjectName=ArenaHeap]", "the Enemy block at 0x", "belongs to an ArenaHeap that was disposed", "nothing was freed");
        }

        AssertRefused(run, "PooledHeap.Free(void*)", "System.ArgumentException", "belongs to an ArenaHeap that was disposed", "nothing was freed");
        Assert.Contains("shared heap after the refusals: Health=1", run.Output);
        Assert.Contains("scenario free-after-dispose finished", run.Output);
    }

    [Fact]
    public void A_stale_free_on_a_private_debug_heap_is_refused_through_every_route_naming_Pooled_T_and_the_new_block_stays_intact()
    {
        var run = Run("stale-free");

        Assert.True(run.ExitCode == 0, run.Describe());
        foreach (var route in new[] { "heap.Free(h)", "Enemy.Free(h)", "h.Dispose()", "PooledHeap.Free(h)", "PooledHeap.Local.Free(h)" })
        {
            AssertRefused(run, route, $"{Disposed} [ObjectName=Pooled<Enemy>]", "the Enemy block at 0x", "was already freed", "nothing was freed");
        }

        // Before the fix the stale free through Dispose/T.Free/PooledHeap.Free went through, and this free was then
        // reported as a double free of an "untyped" block.
        Assert.Contains("second allocation: Health=42 live=1", run.Output);
        AssertLine(run, "heap.Free(second allocation) => no exception");
        Assert.Contains("after freeing it: live=0", run.Output);
        Assert.Contains("scenario stale-free finished", run.Output);
    }

    [Theory]
    [InlineData("POOLEDGEN_ARENA_SIZE", "abc", "which is not a whole number of bytes up to 2147483647")]
    [InlineData("POOLEDGEN_ARENA_SIZE", "3", "ArenaSize must be a power of two between 65536 and 1073741824 bytes; it is 3")]
    [InlineData("POOLEDGEN_POOL_SIZE", "1048576", "PoolSize (1048576 bytes) must be at most half of ArenaSize (1048576 bytes)")]
    [InlineData("POOLEDGEN_MAX_RESERVED_BYTES", "-5", "MaxReservedBytes must be 0 (no cap) or a positive number of bytes")]
    [InlineData("POOLEDGEN_PURGE_DELAY_MS", "abc", "which is not a whole number of milliseconds up to 3600000")]
    public void A_bad_start_up_setting_is_refused_by_its_name_and_value_at_the_first_Alloc_and_Configure_afterwards_works(string variable, string value, string reason)
    {
        var run = Run("startup-settings", new Dictionary<string, string> { [variable] = value });

        Assert.True(run.ExitCode == 0, run.Describe());
        // Before the fix: TypeInitializationException for PooledGen.HeapGeometry, the real message only inside it,
        // and the same exception from every later call, Configure or not.
        Assert.DoesNotContain("TypeInitializationException", run.Output);
        foreach (var attempt in new[] { "first Enemy.Alloc()", "second Enemy.Alloc()" })
        {
            AssertRefused(run, attempt, "System.InvalidOperationException", $"the environment variable {variable} is '{value}'", reason, "PooledHeap.Configure");
        }

        AssertLine(run, "PooledHeap.Configure(ArenaSize = 4 MiB) => no exception");
        // The configured arena size, not the default: the options given to Configure are the ones in use.
        Assert.Contains("Enemy.Alloc() after Configure: Health=7 ArenaSize=4194304 PoolSize=32768", run.Output);
        Assert.Contains("scenario startup-settings finished", run.Output);
    }

    [Fact]
    public void A_LocalHeap_the_arena_map_and_a_worker_that_detaches_work_from_the_package()
    {
        var run = Run("local-heap");

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("Enemy.Alloc(heap): Health=3", run.Output);
        // The handle is the block's address and nothing more, as the README promises.
        Assert.Contains("Unsafe.SizeOf<Pooled<Enemy>>()=8", run.Output);
        var lines = run.Output.Split('\n');
        var arenaLines = lines.Where(line => line.StartsWith("0x", StringComparison.Ordinal)).ToList();
        Assert.True(arenaLines.Count >= 1, "The arena map printed no arena line. " + run.Describe());
        Assert.Contains(arenaLines, line => line.Contains(" shared ", StringComparison.Ordinal) && line.Contains("1 / ", StringComparison.Ordinal));
        Assert.Contains("thread heaps before the worker: 1", run.Output);
        Assert.Contains("thread heaps while the worker runs: 2", run.Output);
        // Detaching gives the worker's thread heap back at once; its pool, still holding the handed-over blocks, waits
        // for another thread to adopt it.
        Assert.Contains("after the worker detached: thread heaps 1, abandoned pools 1", run.Output);
        Assert.Contains("main freed the worker's blocks: sum=4950 bytes in use 0, allocations 101, frees 101", run.Output);
        Assert.Contains("scenario local-heap finished", run.Output);
    }

    [Fact]
    public void Short_lived_threads_cost_no_GC_memory_their_ends_are_noticed_and_what_they_leave_behind_comes_back()
    {
        var run = Run("thread-churn");

        Assert.True(run.ExitCode == 0, run.Describe());
        // Before: 168 bytes per new thread (the runtime's thread-static storage, on the first read of a thread-static
        // declared beside ordinary statics, and on the first Thread.CurrentThread).
        Assert.Contains("most GC bytes in a new thread's T.Alloc()/T.Free()/DetachCurrentThread(): 0", run.Output);
        // 25 of the 50 workers ended without detaching: their thread heaps went back without a garbage collection.
        Assert.Contains("thread heaps once every worker's end was noticed: 1", run.Output);
        Assert.Contains("a thread ended holding 1000 blocks: abandoned pools some", run.Output);
        // main's frees took the abandoned pools over and, emptied, kept or returned them.
        Assert.Contains("main freed them: health 1000, bytes in use 0, abandoned pools 0", run.Output);
        Assert.Contains("scenario thread-churn finished", run.Output);
    }

    [Fact]
    public void An_unknown_scenario_prints_the_usage_and_exits_2()
    {
        var run = Run("no-such-scenario");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("usage: Scenarios free-after-dispose | stale-free | startup-settings | local-heap | thread-churn", run.Output);
    }

    /// <summary>Builds the consumer once for the feed, then runs one scenario in its own process.</summary>
    private CommandResult Run(string scenario, IReadOnlyDictionary<string, string>? environment = null)
    {
        var build = feed.Once("build Scenarios", () => feed.Consumer(["build", "Scenarios/Scenarios.csproj", .. ConsumerTests.BuildOptions]));
        Assert.True(build.ExitCode == 0, build.Describe());

        var variables = new Dictionary<string, string>(feed.ConsumerEnvironment);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        return DotNet.Run(feed.Workspace, variables, "Scenarios/bin/Release/net10.0/Scenarios.dll", scenario);
    }

    /// <summary>The route's line names <paramref name="exception"/> and its message holds every part.</summary>
    private static void AssertRefused(CommandResult run, string route, string exception, params string[] messageParts)
    {
        var prefix = $"{route} => ";
        var line = run.Output.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"No line for {route}. " + run.Describe());
        Assert.True(line.StartsWith(prefix + exception + ": ", StringComparison.Ordinal), $"{route} should throw {exception}: {line}");
        foreach (var part in messageParts)
        {
            Assert.True(line.Contains(part, StringComparison.Ordinal), $"{route}'s message should say \"{part}\": {line}");
        }
    }

    private static void AssertLine(CommandResult run, string expected) =>
        Assert.True(run.Output.Split('\n').Contains(expected), $"No line \"{expected}\". " + run.Describe());
}

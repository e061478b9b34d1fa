using System.CodeDom.Compiler;
using System.Runtime.CompilerServices;

namespace PooledGen.Runtime.Tests;

/// <summary>
/// Debug heaps name the user's method as a block's allocation site, not the generated <c>Alloc</c> every allocation of
/// a [Pooled] struct goes through: leaks from different methods stay apart in the report. These tests do not run the
/// generator, so <see cref="GeneratedEnemy"/> stands in for its output, marked as it marks it.
/// </summary>
public unsafe class AllocationSiteTests
{
    [Fact]
    public void Leaks_from_two_methods_through_generated_code_are_two_entries_naming_each_method_file_and_line()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> spawned = Game.SpawnWave(heap);
        Pooled<Bytes100> fired = Game.FireVolley(heap);

        IReadOnlyList<LiveAllocation> live = heap.GetLiveAllocations();
        string waveSite = Assert.Single(live, l => l.Address == (nuint)spawned.Pointer).AllocationSite;
        string volleySite = Assert.Single(live, l => l.Address == (nuint)fired.Pointer).AllocationSite;
        Assert.StartsWith("PooledGen.Runtime.Tests.AllocationSiteTests+Game.SpawnWave in ", waveSite);
        Assert.StartsWith("PooledGen.Runtime.Tests.AllocationSiteTests+Game.FireVolley in ", volleySite);
        Assert.Matches(@"AllocationSiteTests\.cs:line \d+$", waveSite);
        Assert.Matches(@"AllocationSiteTests\.cs:line \d+$", volleySite);

        var report = new StringWriter();
        heap.WriteLeakReport(report);
        string text = report.ToString();
        Assert.Contains("Bytes100: 2 blocks, 200 bytes", text);
        Assert.Contains("1 block allocated at " + waveSite, text);
        Assert.Contains("1 block allocated at " + volleySite, text);
        Assert.DoesNotContain("GeneratedEnemy", text);
        Assert.DoesNotContain("Enemy.g.cs", text);

        heap.Free(spawned);
        heap.Free(fired);
    }

    [Fact]
    public void A_frame_in_a_g_cs_file_is_skipped_even_without_the_attribute()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> p = Game.SpawnThroughGeneratedFile(heap);

        string site = Assert.Single(heap.GetLiveAllocations()).AllocationSite;

        Assert.StartsWith("PooledGen.Runtime.Tests.AllocationSiteTests+Game.SpawnThroughGeneratedFile in ", site);
        heap.Free(p);
    }

    [Fact]
    public void A_method_of_a_type_marked_generated_is_skipped()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> p = Game.SpawnThroughGeneratedType(heap);

        string site = Assert.Single(heap.GetLiveAllocations()).AllocationSite;

        Assert.StartsWith("PooledGen.Runtime.Tests.AllocationSiteTests+Game.SpawnThroughGeneratedType in ", site);
        heap.Free(p);
    }

    [Fact]
    public void A_lambda_of_the_user_is_the_users_code_and_names_its_method()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Func<Pooled<Bytes100>> spawn = () => GeneratedEnemy.Alloc(heap);
        Pooled<Bytes100> p = spawn();

        string site = Assert.Single(heap.GetLiveAllocations()).AllocationSite;

        Assert.StartsWith("PooledGen.Runtime.Tests.AllocationSiteTests+<>c__DisplayClass", site);
        Assert.Contains("A_lambda_of_the_user_is_the_users_code_and_names_its_method", site);
        heap.Free(p);
    }

    [Fact]
    public void Corruption_names_the_users_method_as_the_allocation_site()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> p = Game.SpawnWave(heap);
        ((byte*)p.Pointer)[100] = 0x41;

        var e = Assert.Throws<PoolCorruptionException>(() => heap.Free(p));

        Assert.StartsWith("PooledGen.Runtime.Tests.AllocationSiteTests+Game.SpawnWave in ", e.AllocationSite);
        Assert.Contains("It was allocated at PooledGen.Runtime.Tests.AllocationSiteTests+Game.SpawnWave in ", e.Message);
        ((byte*)p.Pointer)[100] = 0xFD;
        heap.Free(p);
    }

    [Fact]
    public void Generated_code_called_only_by_generated_code_is_still_named_rather_than_unknown()
    {
        using var heap = new ArenaHeap(0, debug: true);
        Pooled<Bytes100> p = GeneratedEnemy.Alloc(heap);

        // The test method's own frame is the user's here: the generated frame is skipped, the caller named.
        Assert.StartsWith(
            "PooledGen.Runtime.Tests.AllocationSiteTests.Generated_code_called_only_by_generated_code_is_still_named_rather_than_unknown in ",
            Assert.Single(heap.GetLiveAllocations()).AllocationSite);
        heap.Free(p);
    }

    /// <summary>The user's game code: two different methods that allocate through the generated Alloc.</summary>
    private static class Game
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Pooled<Bytes100> SpawnWave(ArenaHeap heap) => GeneratedEnemy.Alloc(heap);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Pooled<Bytes100> FireVolley(ArenaHeap heap) => GeneratedEnemy.Alloc(heap);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Pooled<Bytes100> SpawnThroughGeneratedFile(ArenaHeap heap) => GeneratedFile.Alloc(heap);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Pooled<Bytes100> SpawnThroughGeneratedType(ArenaHeap heap) => GeneratedType.Alloc(heap);
    }

    /// <summary>What PooledGen generates for a [Pooled] struct: a static Alloc marked [GeneratedCode("PooledGen", ...)].</summary>
    private static class GeneratedEnemy
    {
        // The real one is AggressiveInlining, which unoptimized (tier 0) code ignores: the frame is there.
        [GeneratedCode("PooledGen", "x")]
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Pooled<Bytes100> Alloc(ArenaHeap heap) => heap.Alloc<Bytes100>();
    }

    /// <summary>Another generator's output without the attribute, recognised by its file name alone.</summary>
    private static class GeneratedFile
    {
#line 1 "obj/Release/net10.0/generated/Game.Enemy.g.cs"
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Pooled<Bytes100> Alloc(ArenaHeap heap) => heap.Alloc<Bytes100>();
#line default
    }

    /// <summary>A whole type marked generated: its methods are generated even without their own attribute.</summary>
    [GeneratedCode("PooledGen", "x")]
    private static class GeneratedType
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Pooled<Bytes100> Alloc(ArenaHeap heap) => heap.Alloc<Bytes100>();
    }
}

using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace PooledGen.Runtime.Tests;

/// <summary>WriteArenaMap and WriteArenaMapSvg on a real heap: each pool's glyph says what it holds.</summary>
public unsafe class ArenaMapTests
{
    private const int BlockSize = 64;

    [Fact]
    public void The_text_map_shows_full_partly_used_waiting_decommitted_and_never_carved_pools()
    {
        using var heap = new ArenaHeap { CachedPoolLimit = 0, PurgeDelayMilliseconds = -1 };
        int first = HeapTests.BlocksInFirstPool(BlockSize);
        int perPool = HeapTests.BlocksPerPool(BlockSize);

        // Pool 0 full; pool 1 freed and decommitted by Trim; pool 2 freed, waiting; pool 3 half full (the current pool).
        var blocks = Enumerable.Range(0, first + 3 * perPool).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
        List<nint> pool1 = blocks.Skip(first).Take(perPool).ToList();
        List<nint> pool2 = blocks.Skip(first + perPool).Take(perPool).ToList();
        List<nint> pool3 = blocks.Skip(first + 2 * perPool).ToList();
        pool1.ForEach(b => heap.Free((void*)b));
        pool3.Skip(perPool / 2).ToList().ForEach(b => heap.Free((void*)b));
        heap.Trim();
        pool2.ForEach(b => heap.Free((void*)b));

        var text = new StringWriter();
        heap.WriteArenaMap(text);
        string[] lines = text.ToString().Split('\n', StringSplitOptions.TrimEntries);
        string arena = Assert.Single(lines, l => l.StartsWith("0x", StringComparison.Ordinal));
        string expectedGlyphs = "#_~4" + new string('.', HeapGeometry.PoolsPerArena - 4);
        Assert.StartsWith($"0x{HeapTests.ArenaOf((void*)blocks[0]):X16}", arena);
        Assert.Contains(expectedGlyphs, arena);
        Assert.Contains("pools: 0-9 in use (tenths full)", text.ToString());
        Assert.Contains("total: 1 arenas", text.ToString());
    }

    [Fact]
    public void The_svg_map_is_well_formed_with_one_cell_per_pool()
    {
        using var heap = new ArenaHeap();
        var blocks = Enumerable.Range(0, 3 * HeapTests.BlocksPerArena(BlockSize)).Select(_ => (nint)heap.Allocate(BlockSize)).ToList();
        var svg = new StringWriter();
        heap.WriteArenaMapSvg(svg);
        XDocument document = XDocument.Parse(svg.ToString());
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", document.Root!.Name);
        int cells = document.Descendants(ns + "rect").Count(r => r.Element(ns + "title") is not null);
        Assert.Equal(heap.GetStatistics().ArenasCurrent * HeapGeometry.PoolsPerArena, cells);
        blocks.ForEach(b => heap.Free((void*)b));
    }

    [Fact]
    public void In_debug_mode_the_map_names_the_types_and_methods_that_hold_the_sparsest_arenas()
    {
        using var heap = new ArenaHeap(0, debug: true);
        var spread = new List<Pooled<Bytes100>>();
        for (int i = 0; i < 2000; i++)
        {
            spread.Add(SpawnLongLived(heap));
        }

        // Free all but every fiftieth: sparse arenas held by a few long-lived blocks.
        for (int i = 0; i < spread.Count; i++)
        {
            if (i % 50 != 0)
            {
                heap.Free(spread[i]);
            }
        }

        var text = new StringWriter();
        heap.WriteArenaMap(text);
        string map = text.ToString();
        Assert.Contains("who holds the sparsest arenas (debug mode):", map);
        Assert.Contains("Bytes100 allocated at PooledGen.Runtime.Tests.ArenaMapTests.SpawnLongLived", map);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Pooled<Bytes100> SpawnLongLived(ArenaHeap heap) => heap.Alloc<Bytes100>();
}

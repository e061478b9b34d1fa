using System.Xml.Linq;

namespace PooledGen.Runtime.Tests;

/// <summary>The arena map's text and SVG forms, written from hand-built models (ArenaMap.cs, ArenaMapWriter*.cs).</summary>
public class ArenaMapTests
{
    private const int PoolSize = 16 * 1024;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    // Two arenas of 8 pools: every state and the occupancy steps at their edges.
    private static readonly ArenaMapArena[] s_small =
    [
        new(unchecked((nuint)0x7F3A_0004_0000), "shared",
        [
            InUse(340, 340),                  // full: '#'
            InUse(339, 340),                  // one block free: '9', never '#'
            InUse(170, 340),                  // half: '5'
            InUse(1, 340),                    // one block: '0'
            PoolCell.Free(PoolCellState.Empty),
            PoolCell.Free(PoolCellState.WaitingForPurge),
            PoolCell.Free(PoolCellState.Decommitted),
            PoolCell.Free(PoolCellState.NeverCarved),
        ]),
        new(unchecked((nuint)0x7F3A_0008_0000), "worker-1",
        [
            new PoolCell(PoolCellState.InUse, 0, 16, 10, 1020),
            .. Enumerable.Repeat(PoolCell.Free(PoolCellState.NeverCarved), 7),
        ]),
    ];

    [Fact]
    public void WriteText_prints_a_legend_one_line_per_arena_with_a_glyph_per_pool_and_the_totals()
    {
        var text = new StringWriter();
        ArenaMapWriter.WriteText(text, s_small, PoolSize);

        // Arena 1: 850 of 1,360 blocks of 48 B = 40,800 bytes in 4 pools in use (65,536 bytes): 62.3%.
        // Arena 2: 10 blocks of 16 B = 160 bytes in one pool: 1.0%. Together 40,960 of 81,920 bytes: 50.0%.
        string[] expected =
        [
            "PooledGen arena map: 2 arenas of 8 pools of 16,384 bytes",
            "pools: 0-9 in use (tenths full), # full, - empty, ~ waiting for purge, _ decommitted, . never carved",
            "arena               heap      pools     in-use  empty  waiting  decommitted  uncarved      blocks in use  occupancy",
            "0x00007F3A00040000  shared    #950-~_.       4      1        1            1         1        850 / 1,360      62.3%",
            "0x00007F3A00080000  worker-1  0.......       1      0        0            0         7         10 / 1,020       1.0%",
            "total: 2 arenas, 16 pools: 5 in use, 1 empty, 1 waiting for purge, 1 decommitted, 8 never carved; 40,960 bytes in use in 81,920 bytes of pools in use (50.0%)",
        ];
        Assert.Equal(expected, text.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void WriteText_of_an_empty_map_prints_the_header_and_zero_totals()
    {
        var text = new StringWriter();
        ArenaMapWriter.WriteText(text, [], PoolSize);
        Assert.StartsWith("PooledGen arena map: 0 arenas", text.ToString());
        Assert.Contains("total: 0 arenas, 0 pools: 0 in use", text.ToString());
    }

    [Fact]
    public void WriteSvg_is_well_formed_with_one_cell_per_pool_filled_by_state_and_occupancy()
    {
        XDocument svg = WriteSvg(s_small);

        XElement[] arenas = svg.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "arena").ToArray();
        Assert.Equal(2, arenas.Length);
        Assert.StartsWith("0x00007F3A00040000 shared: 4 pools in use", arenas[0].Element(Svg + "title")!.Value);

        string[] fills = arenas[0].Elements(Svg + "rect").Select(r => (string)r.Attribute("fill")!).ToArray();
        Assert.Equal(["#08306B", "#1B4279", "#6786AD", "#C6DBEF", "#74C476", "#FD8D3C", "#BDBDBD", "#FFFFFF"], fills);
        Assert.Equal(8, arenas[1].Elements(Svg + "rect").Count());
        Assert.Equal(16, PoolRects(svg).Length);

        // The detailed layout: each cell says what it is.
        Assert.Equal("pool 1: class 2 (48 B), 339 of 340 blocks in use", arenas[0].Elements(Svg + "rect").ElementAt(1).Element(Svg + "title")!.Value);

        // A legend: the eleven in-use shades and a swatch for each other state, in the same colours as the cells.
        string[] legend = svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "legend").Select(r => (string)r.Attribute("fill")!).ToArray();
        Assert.Equal(15, legend.Length);
        Assert.Subset(legend.ToHashSet(), fills.ToHashSet());
    }

    [Fact]
    public void WriteSvg_of_a_thousand_arenas_wraps_them_into_columns_of_small_cells()
    {
        var random = new Random(17);
        ArenaMapArena[] arenas = Enumerable.Range(0, 1000).Select(i => new ArenaMapArena(
            (nuint)(0x7F00_0000_0000 + (ulong)i * 0x40000), "shared",
            Enumerable.Range(0, 16).Select(_ => random.Next(3) == 0 ? PoolCell.Free(PoolCellState.Decommitted) : InUse(random.Next(1, 341), 340)).ToArray())).ToArray();

        XDocument svg = WriteSvg(arenas);

        Assert.Equal(16_000, PoolRects(svg).Length);
        int width = (int)svg.Root!.Attribute("width")!, height = (int)svg.Root.Attribute("height")!;
        Assert.True(width <= 1600 && height <= 1200, $"{width} x {height} pixels");
        Assert.DoesNotContain(PoolRects(svg), r => r.HasElements); // no per-pool tooltips at this size
        Assert.True(PoolRects(svg).Select(r => (int)r.Attribute("x")!).Distinct().Count() > 16, "the arenas were not wrapped into columns");
    }

    [Fact]
    public void Heap_names_are_escaped_in_the_SVG()
    {
        XDocument svg = WriteSvg([new ArenaMapArena(0x10000, "a<b>&\"c\"", [InUse(1, 2), InUse(2, 2)])]);
        Assert.Contains("a<b>&\"c\"", svg.Descendants(Svg + "text").Select(t => t.Value).Single(v => v.StartsWith("0x", StringComparison.Ordinal)));
    }

    [Fact]
    public void Sparsest_names_the_arenas_held_by_live_blocks_emptiest_first()
    {
        ArenaMapArena Arena(ulong address, params PoolCell[] pools) => new((nuint)address, "shared", pools);
        ArenaMapArena[] arenas =
        [
            Arena(0x100000, InUse(340, 340), InUse(340, 340)),                                   // full
            Arena(0x140000, InUse(10, 340), PoolCell.Free(PoolCellState.Decommitted)),           // 10 blocks in one pool
            Arena(0x180000, PoolCell.Free(PoolCellState.Empty), PoolCell.Free(PoolCellState.WaitingForPurge)), // nothing live
            Arena(0x1C0000, InUse(10, 340), InUse(10, 340)),                                     // same occupancy, more waste
        ];

        IReadOnlyList<ArenaOccupancy> sparsest = ArenaOccupancy.Sparsest(arenas, PoolSize, 3);

        Assert.Equal([(nuint)0x1C0000, (nuint)0x140000, (nuint)0x100000], sparsest.Select(a => a.Base));
        Assert.Equal(480, sparsest[1].BytesInUse);
        Assert.Equal(PoolSize - 480, sparsest[1].BytesWasted);
        Assert.Equal(480.0 / PoolSize, sparsest[1].Occupancy, 9);
    }

    private static PoolCell InUse(int blocks, int capacity) => new(PoolCellState.InUse, 2, 48, blocks, capacity);

    private static XElement[] PoolRects(XDocument svg) =>
        svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "pool").ToArray();

    private static XDocument WriteSvg(IReadOnlyList<ArenaMapArena> arenas)
    {
        var text = new StringWriter();
        ArenaMapWriter.WriteSvg(text, arenas, PoolSize);
        return XDocument.Parse(text.ToString());
    }
}

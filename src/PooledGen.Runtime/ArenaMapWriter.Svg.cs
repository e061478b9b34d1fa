using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using static System.FormattableString;

namespace PooledGen;

// The arena map as an SVG picture: each arena a row, each pool a cell, in address order. Pools in use are shaded from
// light to dark blue by how full they are (the text form's 0-9 and #); the other states have their own colours.
//
// Two layouts. Up to DetailedArenas arenas: 12-pixel cells, each arena labelled with its base and heap, and every
// cell carries a tooltip (class, block size, blocks). More arenas: 6-pixel cells without labels, the arenas wrapped
// into columns of CompactRowsPerColumn, tooltips on each arena row only, so that 1,000 arenas of 16 pools make a
// picture of about 1,000 x 900 pixels and 1.5 MB. Pools wrap after PoolsPerLine cells in either layout.
internal static partial class ArenaMapWriter
{
    /// <summary>The largest map drawn with labels and per-pool tooltips.</summary>
    public const int DetailedArenas = 64;

    private const int CompactRowsPerColumn = 128;
    private const int PoolsPerLine = 64;
    private const int Margin = 10;
    private const int LegendHeight = 64;
    private const int LegendWidth = 800; // the legend's swatches and labels, and a title of about 95 characters

    // The in-use shades: PoolCell.OccupancyStep 0 (under a tenth full) to 10 (full), light to dark blue.
    private static readonly string[] s_inUseFills = Enumerable.Range(0, PoolCell.FullStep + 1).Select(InUseFill).ToArray();

    /// <summary>The fill colour of a pool's cell.</summary>
    public static string Fill(PoolCell pool) => pool.State switch
    {
        PoolCellState.InUse => s_inUseFills[pool.OccupancyStep],
        PoolCellState.Empty => "#74C476",
        PoolCellState.WaitingForPurge => "#FD8D3C",
        PoolCellState.Decommitted => "#BDBDBD",
        _ => "#FFFFFF", // outlined: see Outline
    };

    // Never-carved pools are white on the white background: a thin outline shows where they are.
    private static string Outline(PoolCell pool) =>
        pool.State == PoolCellState.NeverCarved ? " stroke=\"#BDBDBD\" stroke-width=\"0.5\"" : "";

    /// <summary>
    /// Writes the map as a standalone SVG document: a legend, then one row of cells per arena. Cells are
    /// <c>rect</c> elements of class <c>pool</c>, grouped per arena in a <c>g</c> of class <c>arena</c>.
    /// </summary>
    public static void WriteSvg(TextWriter writer, IReadOnlyList<ArenaMapArena> arenas, int poolSize)
    {
        bool detailed = arenas.Count <= DetailedArenas;
        int cell = detailed ? 12 : 6;
        int pitch = cell + (detailed ? 2 : 1);
        int pools = arenas.Count == 0 ? 0 : arenas.Max(a => a.Pools.Length);
        int poolsPerLine = Math.Max(1, Math.Min(pools, PoolsPerLine));
        int linesPerArena = Math.Max(1, (pools + poolsPerLine - 1) / poolsPerLine);
        int rowHeight = linesPerArena * pitch + (linesPerArena > 1 ? pitch / 2 : 0);
        int rowsPerColumn = detailed ? Math.Max(1, arenas.Count) : CompactRowsPerColumn;
        int columns = Math.Max(1, (arenas.Count + rowsPerColumn - 1) / rowsPerColumn);
        int labelWidth = detailed ? (20 + (arenas.Count == 0 ? 0 : arenas.Max(a => a.Heap.Length))) * 7 : 0;
        int columnWidth = labelWidth + poolsPerLine * pitch + 2 * Margin;
        int width = Math.Max(LegendWidth, Margin + columns * columnWidth);
        int height = Margin + LegendHeight + Math.Min(arenas.Count, rowsPerColumn) * rowHeight + Margin;

        writer.WriteLine(Invariant(
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"11\">"));
        writer.WriteLine("<title>PooledGen arena map</title>");
        writer.WriteLine(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"#FFFFFF\"/>"));
        WriteLegend(writer, arenas, poolSize, pools);

        for (int column = 0; !detailed && column < columns; column++)
        {
            int first = column * rowsPerColumn + 1, last = Math.Min(arenas.Count, first + rowsPerColumn - 1);
            writer.WriteLine(Invariant(
                $"<text x=\"{Margin + column * columnWidth}\" y=\"{Margin + LegendHeight - 4}\" font-size=\"9\">arenas {first:N0}-{last:N0}</text>"));
        }

        for (int index = 0; index < arenas.Count; index++)
        {
            ArenaMapArena arena = arenas[index];
            ArenaOccupancy summary = arena.Summarize(poolSize);
            int x = Margin + index / rowsPerColumn * columnWidth;
            int y = Margin + LegendHeight + index % rowsPerColumn * rowHeight;
            writer.WriteLine(Invariant(
                $"<g class=\"arena\"><title>{Escape(Describe(arena, summary))}</title>"));
            if (detailed)
            {
                writer.WriteLine(Invariant(
                    $"<text x=\"{x}\" y=\"{y + cell - 2}\">0x{(ulong)arena.Base:X16} {Escape(arena.Heap)}</text>"));
            }

            for (int p = 0; p < arena.Pools.Length; p++)
            {
                PoolCell pool = arena.Pools[p];
                int cx = x + labelWidth + p % poolsPerLine * pitch;
                int cy = y + p / poolsPerLine * pitch;
                string rect = Invariant($"<rect class=\"pool\" x=\"{cx}\" y=\"{cy}\" width=\"{cell}\" height=\"{cell}\" fill=\"{Fill(pool)}\"{Outline(pool)}");
                writer.WriteLine(detailed ? Invariant($"{rect}><title>{Describe(p, pool)}</title></rect>") : rect + "/>");
            }

            writer.WriteLine("</g>");
        }

        writer.WriteLine("</svg>");
    }

    private static void WriteLegend(TextWriter writer, IReadOnlyList<ArenaMapArena> arenas, int poolSize, int pools)
    {
        long inUse = arenas.Sum(a => a.Pools.Sum(p => p.BytesInUse));
        writer.WriteLine(Invariant(
            $"<text x=\"{Margin}\" y=\"{Margin + 11}\" font-size=\"13\">PooledGen arena map: {arenas.Count:N0} arenas of {pools:N0} pools of {poolSize / 1024:N0} KiB, {inUse:N0} bytes in live blocks</text>"));

        int y = Margin + 24;
        int x = Margin;
        writer.WriteLine(Invariant($"<text x=\"{x}\" y=\"{y + 10}\">in use, by how full:</text>"));
        x += 150;
        for (int step = 0; step <= PoolCell.FullStep; step++)
        {
            writer.WriteLine(Invariant($"<rect class=\"legend\" x=\"{x + step * 14}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{s_inUseFills[step]}\"/>"));
        }

        writer.WriteLine(Invariant($"<text x=\"{x}\" y=\"{y + 24}\">0%</text><text x=\"{x + PoolCell.FullStep * 14 - 14}\" y=\"{y + 24}\">full</text>"));
        x += (PoolCell.FullStep + 1) * 14 + 16;
        foreach ((PoolCellState state, string label) in new[]
        {
            (PoolCellState.Empty, "empty"),
            (PoolCellState.WaitingForPurge, "waiting for purge"),
            (PoolCellState.Decommitted, "decommitted"),
            (PoolCellState.NeverCarved, "never carved"),
        })
        {
            writer.WriteLine(Invariant(
                $"<rect class=\"legend\" x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{Fill(PoolCell.Free(state))}\"{Outline(PoolCell.Free(state))}/><text x=\"{x + 16}\" y=\"{y + 10}\">{label}</text>"));
            x += 16 + label.Length * 7 + 12;
        }
    }

    private static string Describe(ArenaMapArena arena, ArenaOccupancy a) => string.Create(CultureInfo.InvariantCulture,
        $"0x{(ulong)arena.Base:X16} {arena.Heap}: {a.PoolsInUse} pools in use ({Percent(a)} full), {a.PoolsEmpty} empty, " +
        $"{a.PoolsWaitingForPurge} waiting for purge, {a.PoolsDecommitted} decommitted, {a.PoolsNeverCarved} never carved; {a.BytesInUse:N0} bytes in use");

    private static string Describe(int index, PoolCell pool) => pool.State switch
    {
        PoolCellState.InUse => Invariant($"pool {index}: class {pool.SizeClass} ({pool.BlockSize} B), {pool.BlocksInUse:N0} of {pool.Capacity:N0} blocks in use"),
        PoolCellState.Empty => Invariant($"pool {index}: empty"),
        PoolCellState.WaitingForPurge => Invariant($"pool {index}: waiting for purge"),
        PoolCellState.Decommitted => Invariant($"pool {index}: decommitted"),
        _ => Invariant($"pool {index}: never carved"),
    };

    // Linear from #C6DBEF (step 0) to #08306B (full), along ColorBrewer's Blues; step 0 is dark enough not to pass
    // for a never-carved pool.
    private static string InUseFill(int step)
    {
        static int Mix(int light, int dark, int step) => light + (dark - light) * step / PoolCell.FullStep;
        return Invariant($"#{Mix(0xC6, 0x08, step):X2}{Mix(0xDB, 0x30, step):X2}{Mix(0xEF, 0x6B, step):X2}");
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using static System.FormattableString;

namespace PooledGen;

/// <summary>
/// Writes the arena map: which pools of which arenas hold live blocks, how full they are, and which are free,
/// waiting to be purged, decommitted or never carved. Text (<see cref="WriteText"/>, one line per arena, for logs and
/// grep) and an SVG picture (<see cref="WriteSvg"/>, ArenaMapWriter.Svg.cs). Invariant culture.
/// </summary>
/// <remarks>
/// The text form:
/// <code>
/// PooledGen arena map: 2 arenas of 16 pools of 16,384 bytes
/// pools: 0-9 in use (tenths full), # full, - empty, ~ waiting for purge, _ decommitted, . never carved
/// arena               heap    pools             in-use  empty  waiting  decommitted  uncarved  blocks in use  occupancy
/// 0x00007F3A00040000  shared  #950-~_.........       3      1        1            1        10  1,234 / 2,000      61.7%
/// ...
/// total: 2 arenas, 32 pools: ...
/// </code>
/// Every arena line starts with its base address (<c>grep ^0x</c>); the glyphs of a pool are the same as the SVG's
/// shades, in address order.
/// </remarks>
internal static partial class ArenaMapWriter
{
    /// <summary>The legend of the pool glyphs, as the text header prints it.</summary>
    public const string GlyphLegend = "pools: 0-9 in use (tenths full), # full, - empty, ~ waiting for purge, _ decommitted, . never carved";

    private const string AddressHeader = "arena";
    private const string CountsHeader = "in-use  empty  waiting  decommitted  uncarved";

    /// <summary>The glyph of a pool: its occupancy step for a pool in use, a mark for the other states.</summary>
    public static char Glyph(PoolCell pool) => pool.State switch
    {
        PoolCellState.InUse => pool.OccupancyStep == PoolCell.FullStep ? '#' : (char)('0' + pool.OccupancyStep),
        PoolCellState.Empty => '-',
        PoolCellState.WaitingForPurge => '~',
        PoolCellState.Decommitted => '_',
        _ => '.',
    };

    /// <summary>Writes the map as text: a header with the legend, one line per arena, a line of totals.</summary>
    public static void WriteText(TextWriter writer, IReadOnlyList<ArenaMapArena> arenas, int poolSize)
    {
        int pools = arenas.Count == 0 ? 0 : arenas.Max(a => a.Pools.Length);
        int heapWidth = Math.Max(4, arenas.Count == 0 ? 0 : arenas.Max(a => a.Heap.Length));
        int poolsWidth = Math.Max(5, pools);
        writer.WriteLine(Invariant($"PooledGen arena map: {arenas.Count:N0} arenas of {pools:N0} pools of {poolSize:N0} bytes"));
        writer.WriteLine(GlyphLegend);
        writer.WriteLine(
            $"{AddressHeader,-18}  {"heap".PadRight(heapWidth)}  {"pools".PadRight(poolsWidth)}  {CountsHeader}  {"blocks in use",17}  occupancy");

        var total = new ArenaOccupancy(0, "", 0, 0, 0, 0, 0, 0, 0, 0, 0);
        foreach (ArenaMapArena arena in arenas)
        {
            ArenaOccupancy a = arena.Summarize(poolSize);
            var glyphs = new char[arena.Pools.Length];
            for (int i = 0; i < glyphs.Length; i++)
            {
                glyphs[i] = Glyph(arena.Pools[i]);
            }

            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"0x{(ulong)arena.Base:X16}  {arena.Heap.PadRight(heapWidth)}  {new string(glyphs).PadRight(poolsWidth)}  " +
                $"{a.PoolsInUse,6}  {a.PoolsEmpty,5}  {a.PoolsWaitingForPurge,7}  {a.PoolsDecommitted,11}  {a.PoolsNeverCarved,8}  " +
                $"{Invariant($"{a.BlocksInUse:N0} / {a.BlockCapacity:N0}"),17}  {Percent(a),9}"));
            total = total with
            {
                PoolsInUse = total.PoolsInUse + a.PoolsInUse,
                PoolsEmpty = total.PoolsEmpty + a.PoolsEmpty,
                PoolsWaitingForPurge = total.PoolsWaitingForPurge + a.PoolsWaitingForPurge,
                PoolsDecommitted = total.PoolsDecommitted + a.PoolsDecommitted,
                PoolsNeverCarved = total.PoolsNeverCarved + a.PoolsNeverCarved,
                BytesInUse = total.BytesInUse + a.BytesInUse,
                BytesHeld = total.BytesHeld + a.BytesHeld,
            };
        }

        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total: {arenas.Count:N0} arenas, {arenas.Sum(a => a.Pools.Length):N0} pools: {total.PoolsInUse:N0} in use, {total.PoolsEmpty:N0} empty, " +
            $"{total.PoolsWaitingForPurge:N0} waiting for purge, {total.PoolsDecommitted:N0} decommitted, {total.PoolsNeverCarved:N0} never carved; " +
            $"{total.BytesInUse:N0} bytes in use in {total.BytesHeld:N0} bytes of pools in use ({Percent(total)})"));
    }

    // Occupancy to a tenth of a percent, or "-" for an arena with no pool in use.
    private static string Percent(ArenaOccupancy a) => a.PoolsInUse == 0 ? "-" : Invariant($"{a.Occupancy * 100:0.0}%");
}

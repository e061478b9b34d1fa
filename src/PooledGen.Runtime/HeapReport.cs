using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace PooledGen;

/// <summary>
/// The text reports: the statistics table, laid out after CPython's <c>sys._debugmallocstats()</c> (numbers right
/// aligned after an <c>=</c>, so that scripts can scrape them), and the leak report of a debug heap. Invariant culture.
/// </summary>
internal static class HeapReport
{
    private const int LabelWidth = 40;
    private const int ValueWidth = 15;
    private const int LeakReportFrames = 6;

    public static void WriteStatistics(TextWriter writer, string heapName, PooledHeapStatistics stats)
    {
        writer.WriteLine(Invariant(
            $"PooledGen statistics, heap {heapName} ({(stats.DebugEnabled ? "debug" : "release")} mode): arenas of {stats.ArenaSize:N0} bytes, pools of {stats.PoolSize:N0} bytes"));
        writer.WriteLine();
        writer.WriteLine("class   size   pools   blocks in use   free blocks");
        writer.WriteLine("-----   ----   -----   -------------   -----------");
        foreach (SizeClassStatistics c in stats.SizeClasses)
        {
            if (c.PoolsInUse != 0 || c.BlocksInUse != 0)
            {
                writer.WriteLine(Invariant($"{c.SizeClass,5}   {c.BlockSize,4}   {c.PoolsInUse,5}   {c.BlocksInUse,13:N0}   {c.BlocksFree,11:N0}"));
            }
        }

        writer.WriteLine();
        Row(writer, "# arenas allocated total", stats.ArenasAllocated);
        Row(writer, "# arenas released", stats.ArenasReleased);
        Row(writer, "# arenas currently allocated", stats.ArenasCurrent);
        Row(writer, "# arenas high-water mark", stats.ArenasHighWater);
        Row(writer, "# free pools in arenas", stats.FreePools);
        Row(writer, "# abandoned pools", stats.AbandonedPools);
        Row(writer, "# thread heaps", stats.ThreadHeaps);
        writer.WriteLine();
        Row(writer, "# bytes in allocated blocks", stats.BytesInUse - stats.LargeObjectBytes);
        Row(writer, "# bytes in free blocks", stats.BytesInFreeBlocks, "lost to partly used pools");
        Row(writer, "# bytes in free pools", stats.BytesInFreePools);
        Row(writer, "# bytes lost to pool headers and tails", stats.BytesInPoolOverhead);
        Row(writer, "# bytes in large blocks", stats.LargeObjectBytes);
        writer.WriteLine(new string(' ', LabelWidth + 2) + new string('-', ValueWidth));
        Row(writer, "# bytes reserved", stats.BytesReserved, stats.MaxReservedBytes > 0 ? Invariant($"cap {stats.MaxReservedBytes:N0}") : null);
        Row(writer, "# bytes committed", stats.BytesCommitted, "resident: the rest is decommitted or never touched");
        Row(writer, "# bytes waiting for the purge", stats.BytesWaitingForPurge, Invariant($"{stats.PoolsWaitingForPurge:N0} pools; purge delay {Delay(stats.PurgeDelay)}"));
        Row(writer, "# purges", stats.Purges, Invariant($"{stats.PoolsDecommitted:N0} pools decommitted"));
        writer.WriteLine();
        if (stats.BytesLostToPadding is { } padding)
        {
            Row(writer, "# bytes lost to block padding", padding, "in live blocks, as a release heap lays them out");
            Row(writer, "# bytes in debug headers and guards", stats.BytesInDebugGuards ?? 0);
        }
        else
        {
            Row(writer, "# bytes lost to block padding", "n/a", "per-block sizes are recorded in debug mode only");
        }

        writer.WriteLine();
        Row(writer, "# large-object path: blocks", stats.LargeObjectCount);
        Row(writer, "# large-object path: bytes", stats.LargeObjectBytes);
        Row(writer, "# allocations total", stats.Allocations);
        Row(writer, "# frees total", stats.Frees);
        writer.WriteLine();
        WriteTypes(writer, stats);
    }

    private static string Delay(System.TimeSpan delay) =>
        delay == System.Threading.Timeout.InfiniteTimeSpan ? "never (Trim only)" : Invariant($"{delay.TotalMilliseconds:N0} ms");

    public static void WriteLeakReport(TextWriter writer, string heapName, List<LiveAllocation>? live)
    {
        if (live is null)
        {
            writer.WriteLine(
                "PooledGen leak report, heap " + heapName + ": debug mode is off, so live blocks and their allocation sites are not recorded " +
                "(set POOLEDGEN_DEBUG=1 or the AppContext switch PooledGen.Debug, or use new ArenaHeap(0, debug: true)).");
            return;
        }

        if (live.Count == 0)
        {
            writer.WriteLine(Invariant($"PooledGen leak report, heap {heapName}: no live blocks."));
            return;
        }

        writer.WriteLine(Invariant(
            $"PooledGen leak report, heap {heapName}: {Blocks(live.Count)} live, {live.Sum(b => b.Size):N0} bytes requested"));
        foreach (IGrouping<string, LiveAllocation> type in live.GroupBy(b => b.TypeName))
        {
            writer.WriteLine(Invariant($"  {type.Key}: {Blocks(type.Count())}, {type.Sum(b => b.Size):N0} bytes"));
            foreach (IGrouping<string, LiveAllocation> site in type.GroupBy(b => b.AllocationSite))
            {
                LiveAllocation first = site.First();
                writer.WriteLine(Invariant($"    {Blocks(site.Count())} allocated at {site.Key} (first at 0x{first.Address:X}, thread {first.ManagedThreadId})"));
                writer.Write(first.UserStackTrace("        ", LeakReportFrames));
            }
        }
    }

    private static void WriteTypes(TextWriter writer, PooledHeapStatistics stats)
    {
        var live = stats.LiveTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var names = stats.RegisteredTypes.Select(t => t.Name).Union(live.Keys).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            writer.WriteLine("[Pooled] types: none registered");
            return;
        }

        int width = Math.Max(14, names.Max(n => n.Length));
        writer.WriteLine("[Pooled] type".PadRight(width) + "   size   align   block   padding        live         bytes");
        foreach (string name in names)
        {
            PooledTypeInfo? info = stats.RegisteredTypes.FirstOrDefault(t => t.Name == name);
            live.TryGetValue(name, out PooledTypeStatistics? counts);
            int size = info?.Size ?? counts!.Size;
            int block = info?.BlockSize ?? counts!.BlockSize;
            string align = info is null ? "-" : info.Alignment.ToString(CultureInfo.InvariantCulture);
            string blockText = block == 0 ? "large" : block.ToString(CultureInfo.InvariantCulture);
            string padding = block == 0 ? "0" : (block - size).ToString(CultureInfo.InvariantCulture);
            string liveCount = !stats.DebugEnabled ? "n/a" : (counts?.LiveCount ?? 0).ToString("N0", CultureInfo.InvariantCulture);
            string liveBytes = !stats.DebugEnabled ? "n/a" : (counts?.LiveBytes ?? 0).ToString("N0", CultureInfo.InvariantCulture);
            writer.WriteLine(Invariant($"{name.PadRight(width)}   {size,4}   {align,5}   {blockText,5}   {padding,7}   {liveCount,9}   {liveBytes,11}"));
        }

        if (!stats.DebugEnabled)
        {
            writer.WriteLine("(live counts per type are kept in debug mode only: counting them would cost every allocation a write)");
        }
    }

    private static void Row(TextWriter writer, string label, long value, string? note = null) =>
        Row(writer, label, value.ToString("N0", CultureInfo.InvariantCulture), note);

    private static void Row(TextWriter writer, string label, string value, string? note)
    {
        string line = label.PadRight(LabelWidth) + "= " + value.PadLeft(ValueWidth);
        writer.WriteLine(note is null ? line : line + "   (" + note + ")");
    }

    private static string Blocks(long count) => count == 1 ? "1 block" : Invariant($"{count:N0} blocks");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

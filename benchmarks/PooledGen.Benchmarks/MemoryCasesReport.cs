using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace PooledGen.Benchmarks;

/// <summary>One allocator's burst case: per-cycle time and faults, GC bytes, and the RSS series (bytes, -1 where unknown).</summary>
public sealed record BurstFigures(
    string Allocator,
    int Blocks,
    double[] NsPerBlock,
    double MedianNsPerBlock,
    long[] MinorFaults,
    double MedianMinorFaults,
    long GcBytes,
    long RssStart,
    double[] CycleEndSeconds,
    double[] RssSeconds,
    long[] Rss);

/// <summary>One allocator's idle case: RSS before, full, and at each of <see cref="Seconds"/> after the frees.</summary>
public sealed record IdleTimelineFigures(
    string Allocator,
    string Case,
    int Blocks,
    long FreedBytes,
    long RssStart,
    long RssFull,
    double[] Seconds,
    long[] Rss,
    double ReturnedShareAt2s);

/// <summary>Everything the cases of issue 17 measured in one run: memory-cases.json.</summary>
public sealed record MemoryCaseResults(List<BurstFigures> Bursts, List<IdleTimelineFigures> Timelines);

/// <summary>The markdown tables and the RSS chart of the cases of issue 17.</summary>
internal static class MemoryCasesReport
{
    /// <summary>The file name of the burst case's RSS chart, beside memory.md.</summary>
    public const string BurstChart = "memory-bursts-rss.png";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The sections appended to memory.md.</summary>
    public static string ToMarkdown(MemoryCaseResults results, bool chartWritten)
    {
        var md = new StringBuilder();
        if (results.Bursts.Count > 0)
        {
            var glibc = results.Bursts.FirstOrDefault(b => b.Allocator == "Glibc");
            var blocks = results.Bursts[0].Blocks;
            md.AppendLine(Invariant, $"### Bursts: {MemoryCases.BurstCycles} cycles of allocating {blocks:N0} × 48 B, then freeing them all");
            md.AppendLine();
            md.AppendLine("| Allocator | ns per block, cycle 1 | … median of cycles 2-10 | vs glibc | minor faults per cycle, median 2-10 | GC bytes over the cycles | peak RSS MiB | RSS 1 s after the last cycle MiB |");
            md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var b in results.Bursts)
            {
                var ratio = glibc is null ? "n/a" : (b.MedianNsPerBlock / glibc.MedianNsPerBlock).ToString("0.00", Invariant) + "x";
                md.AppendLine(Invariant,
                    $"| {b.Allocator} | {b.NsPerBlock[0]:0.0} | {b.MedianNsPerBlock:0.0} | {ratio} | {b.MedianMinorFaults:N0} | {b.GcBytes:N0} | {MiB(b.Rss.DefaultIfEmpty(-1).Max())} | {MiB(b.Rss.DefaultIfEmpty(-1).Last())} |");
            }

            md.AppendLine();
            md.AppendLine("Per-cycle ns per block: " + string.Join("; ", results.Bursts.Select(b =>
                $"{b.Allocator} {string.Join(" ", b.NsPerBlock.Select(n => n.ToString("0", Invariant)))}")) + ".");
            md.AppendLine();
            if (chartWritten)
            {
                md.AppendLine($"![RSS during the bursts]({BurstChart})");
                md.AppendLine();
            }
        }

        if (results.Timelines.Count > 0)
        {
            md.AppendLine("### After the frees, idle: RSS in MiB (no trim call)");
            md.AppendLine();
            md.AppendLine("clustered-free: the oldest 90% freed in allocation order; idle: everything freed; random-free: a random 90% freed.");
            md.AppendLine("Returned = (RSS full − RSS 2 s after the frees) ÷ bytes freed (requested bytes: an allocator that rounds blocks up can exceed 100%).");
            md.AppendLine();
            md.AppendLine("| Case | Allocator | start | full | " + string.Join(" | ", MemoryCases.IdleSeconds.Select(s => s == 0 ? "right after" : $"{s.ToString("0.#", Invariant)} s")) + " | 3 s vs start | returned within 2 s |");
            md.AppendLine("|---|---|--:|--:|" + string.Concat(MemoryCases.IdleSeconds.Select(_ => "--:|")) + "--:|--:|");
            foreach (var t in results.Timelines.OrderBy(t => Array.IndexOf(MemoryCases.All, t.Case)))
            {
                md.AppendLine(Invariant,
                    $"| {t.Case} | {t.Allocator} | {MiB(t.RssStart)} | {MiB(t.RssFull)} | {string.Join(" | ", t.Rss.Select(MiB))} | {Delta(t.Rss[^1], t.RssStart)} | {t.ReturnedShareAt2s * 100:0}% |");
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    /// <summary>RSS over time of the burst case, one line per allocator, as a PNG.</summary>
    public static void WriteBurstChart(IReadOnlyList<BurstFigures> bursts, string path)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < bursts.Count; i++)
        {
            var b = bursts[i];
            var line = plot.Add.Scatter(b.RssSeconds, b.Rss.Select(r => r / 1048576.0).ToArray(), palette.GetColor(i));
            line.LegendText = b.Allocator;
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }

        var blocks = bursts.Count > 0 ? bursts[0].Blocks : 0;
        plot.Title(string.Create(Invariant, $"RSS during {MemoryCases.BurstCycles} bursts of {blocks:N0} × 48 B allocated then freed, and 1 s idle"));
        plot.Axes.Bottom.Label.Text = "seconds since the first burst";
        plot.Axes.Left.Label.Text = "RSS (MiB)";
        plot.ShowLegend(ScottPlot.Edge.Right);
        plot.SavePng(path, 1000, 500);
    }

    private static string MiB(long bytes) => bytes < 0 ? "n/a" : (bytes / 1048576.0).ToString("0.0", Invariant);

    private static string Delta(long a, long b) => a < 0 || b < 0 ? "n/a" : (a >= b ? "+" : "-") + MiB(Math.Abs(a - b));
}

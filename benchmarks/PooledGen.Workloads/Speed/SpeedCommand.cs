using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace PooledGen.Workloads.Speed;

/// <summary>
/// <c>speed</c>: a plain Stopwatch harness, every allocator in this one process. For each pattern, size and row:
/// warm up, then time <c>--runs</c> runs and report the median ns per alloc+free pair, the range, the ratio to the
/// row's PooledGen counterpart and the GC bytes per pair. Then the cross-thread hand-off.
/// </summary>
internal static class SpeedCommand
{
    public const string Usage = """
        speed [options]      alloc/free speed, every allocator in this process
          --sizes LIST         payload sizes, of 16,32,64,128,256,512 (default: all)
          --patterns LIST      of batch,lifo,random,handoff (default: all)
          --rows LIST          row ids (default: all): pooled, pooled-copy, pooled-local, pooled-local-copy,
                               pooled-local-uninit, freelist,
                               mimalloc, mimalloc-calloc, mimalloc-copy, pymalloc, pymalloc-calloc, glibc,
                               glibc-calloc, new
          --runs N             timed runs per row; the median is reported (default 9)
          --warmup-ms N        untimed work per row before the runs (default 300)
          --pairs N            alloc+free pairs per run (default 2,097,152)
          --live N             live set of the random pattern (default 100,000)
          --handoff-blocks N   blocks per run of the hand-off (default 1,048,576)
          --seed N             seed of the random pattern's victims (default 1)
          --quick              32 B only, 3 short runs: a check that it works, not a measurement
          --out DIR            where speed.md, speed.json and the charts speed-PATTERN.png go
                               (default: artifacts/workloads)
        """;

    private static readonly string[] PatternNames = ["batch", "lifo", "random", "handoff"];

    public static int Run(Arguments arguments)
    {
        var quick = arguments.Flag("quick");
        var sizes = arguments.Choices("sizes", quick ? ["32"] : Payloads.Sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)).ToArray())
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var patterns = arguments.Choices("patterns", PatternNames);
        var rowIds = arguments.Choices("rows", SpeedRows.All.Select(r => r.Id).ToArray());
        var settings = new SpeedSettings(
            Runs: arguments.Int("runs", quick ? 3 : 9, 1),
            WarmupMilliseconds: arguments.Int("warmup-ms", quick ? 50 : 300, 0),
            PairsPerRun: arguments.Int("pairs", quick ? 262_144 : 2_097_152, SpeedSettings.BatchSize),
            LiveSet: arguments.Int("live", 100_000, 2 * SpeedSettings.BatchSize),
            HandoffBlocks: arguments.Int("handoff-blocks", quick ? 131_072 : 1_048_576, 256),
            Seed: (ulong)arguments.Int("seed", 1, 0));
        var folder = ResultFiles.Folder(arguments);
        arguments.ThrowIfUnknown();

        var rows = SpeedRows.All.Where(r => rowIds.Contains(r.Id) && (r.Peer?.IsAvailableFor(r.Allocator + " " + r.Api) ?? true)).ToList();
        var handoffRows = patterns.Contains("handoff")
            ? SpeedRows.Handoff.Where(r => rowIds.Contains(r.Id) && (r.Peer?.IsAvailableFor("hand-off " + r.Allocator) ?? true)).ToList()
            : [];
        var info = RunInfo.Capture("speed", arguments, rows.Select(r => r.Peer).Concat(handoffRows.Select(r => r.Peer)).OfType<NativePeer>());
        Console.WriteLine(info.ToMarkdown());

        var figures = new List<SpeedFigure>();
        foreach (var pattern in patterns.Where(p => p != "handoff").Select(p => Enum.Parse<Pattern>(p, ignoreCase: true)))
        {
            foreach (var size in sizes)
            {
                foreach (var row in rows)
                {
                    var samples = row.ForSize(size).Measure(pattern, settings);
                    var spread = Spread.Of(samples.NanosecondsPerPair);
                    Console.Error.WriteLine($"  {pattern,-6} {size,3} B  {row.Id,-16} {Format.Fixed(spread.Median, 2),8} ns");
                    figures.Add(new SpeedFigure(pattern.ToString().ToLowerInvariant(), size, row.Id, row.Allocator, row.Api, spread.Median,
                        spread.Min, spread.Max, samples.NanosecondsPerPair, samples.GcBytesPerPair, row.Counterpart, Ratio: null,
                        SpeedRows.LocalCounterpartOf(row.Counterpart), LocalRatio: null));
                }
            }
        }

        var withRatios = figures.Select(f => f with
        {
            Ratio = RatioTo(f.Counterpart, f, figures),
            LocalRatio = RatioTo(f.LocalCounterpart, f, figures),
        }).ToList();
        var handoff = handoffRows.Select(r => MeasureHandoff(r, settings)).ToList();
        var results = new SpeedResults(info, settings, withRatios, handoff);
        var markdown = ToMarkdown(results);
        Console.WriteLine();
        Console.WriteLine(markdown);
        ResultFiles.Write(folder, "speed", markdown, results);
        SpeedCharts.Write(folder, results);
        return 0;
    }

    private static double? RatioTo(string counterpartRow, SpeedFigure figure, List<SpeedFigure> all) =>
        all.FirstOrDefault(f => f.Pattern == figure.Pattern && f.Size == figure.Size && f.Row == counterpartRow) is { } counterpart
            ? figure.MedianNs / counterpart.MedianNs
            : null;

    private static HandoffFigure MeasureHandoff(HandoffRow row, SpeedSettings settings)
    {
        var samples = row.Create().Measure(settings);
        var same = Spread.Of(samples.SameThread);
        var cross = Spread.Of(samples.CrossThread);
        Console.Error.WriteLine($"  handoff 32 B  {row.Id,-16} {Format.Fixed(same.Median, 2),8} ns same thread, {Format.Fixed(cross.Median, 2),8} ns cross thread");
        return new HandoffFigure(row.Id, row.Allocator, row.Api, same.Median, same.Min, same.Max, samples.SameThread,
            cross.Median, cross.Min, cross.Max, samples.CrossThread);
    }

    private static string ToMarkdown(SpeedResults results)
    {
        var text = new StringBuilder();
        text.AppendLine(results.Run.ToMarkdown()).AppendLine();
        foreach (var pattern in results.Rows.Select(f => f.Pattern).Distinct())
        {
            text.AppendLine("### " + pattern switch
            {
                "batch" => "Batch: allocate 1,024 blocks, write one field of each, free them all",
                "lifo" => "LIFO: allocate a block, write one field, free it at once",
                _ => $"Random: over {results.Settings.LiveSet:N0} live blocks, free 1,024 picked at random, allocate 1,024 in their places",
            }).AppendLine();
            var table = new MarkdownTable("Size", "Allocator", "API", ">ns per pair", ">min–max", ">vs PooledGen", ">vs PooledGen LocalHeap", ">GC B/pair");
            foreach (var f in results.Rows.Where(f => f.Pattern == pattern))
            {
                table.Add($"{f.Size} B", f.Allocator, f.Api, Format.Fixed(f.MedianNs, 2), new Spread(f.MedianNs, f.MinNs, f.MaxNs).Range("F2"),
                    f.Ratio is { } r ? Format.Ratio(r) : "–", f.LocalRatio is { } l ? Format.Ratio(l) : "–", f.GcBytesPerPair < 0.5 ? "0" : Format.Fixed(f.GcBytesPerPair, 0));
            }

            text.Append(table).AppendLine();
        }

        if (results.Rows.Count > 0)
        {
            text.AppendLine($"Median of {results.Settings.Runs} runs of {results.Settings.PairsPerRun:N0} pairs each. vs PooledGen = this row's "
                + "median ÷ the median of its PooledGen counterpart at the same size (`T.Alloc(in value)` for the copy rows, "
                + "`T.Alloc()` for the others); vs PooledGen LocalHeap = the same against `T.Alloc(heap, in value)` or "
                + "`T.Alloc(heap)`; above 1, PooledGen is faster.").AppendLine();
        }

        if (results.Handoff.Count > 0)
        {
            text.AppendLine("### Cross-thread hand-off: 32-byte blocks allocated on one thread, freed on another (SPSC ring, batches of 32)").AppendLine();
            var pooled = results.Handoff.FirstOrDefault(h => h.Row == SpeedRows.Baseline);
            var local = results.Handoff.FirstOrDefault(h => h.Row == SpeedRows.LocalBaseline);
            var table = new MarkdownTable("Allocator", "API", ">same thread ns/block", ">min–max", ">cross thread ns/block", ">min–max", ">cross ÷ same",
                ">cross vs PooledGen", ">cross vs PooledGen LocalHeap");
            foreach (var h in results.Handoff)
            {
                table.Add(h.Allocator, h.Api, Format.Fixed(h.SameThreadNs, 2), new Spread(h.SameThreadNs, h.SameThreadMinNs, h.SameThreadMaxNs).Range("F2"),
                    Format.Fixed(h.CrossThreadNs, 2), new Spread(h.CrossThreadNs, h.CrossThreadMinNs, h.CrossThreadMaxNs).Range("F2"),
                    Format.Ratio(h.CrossThreadNs / h.SameThreadNs), pooled is null ? "–" : Format.Ratio(h.CrossThreadNs / pooled.CrossThreadNs),
                    local is null ? "–" : Format.Ratio(h.CrossThreadNs / local.CrossThreadNs));
            }

            text.Append(table).AppendLine();
            text.AppendLine($"Median of {results.Settings.Runs} runs of {results.Settings.HandoffBlocks:N0} blocks each; a cross-thread run ends when "
                + "the consumer has freed the last block; the LocalHeap row's consumer frees through its own thread's `PooledHeap.Local`. "
                + "cross vs PooledGen (`T.Free()`) and vs PooledGen LocalHeap (`T.Free(heap, h)`): above 1, PooledGen's cross-thread free is cheaper.");
        }

        return text.ToString();
    }
}

/// <summary>One row at one size in one pattern.</summary>
internal sealed record SpeedFigure(
    string Pattern, int Size, string Row, string Allocator, string Api,
    double MedianNs, double MinNs, double MaxNs, double[] RunsNs, double GcBytesPerPair,
    string Counterpart, double? Ratio, string LocalCounterpart, double? LocalRatio);

/// <summary>One hand-off row, ns per block.</summary>
internal sealed record HandoffFigure(
    string Row, string Allocator, string Api,
    double SameThreadNs, double SameThreadMinNs, double SameThreadMaxNs, double[] SameThreadRunsNs,
    double CrossThreadNs, double CrossThreadMinNs, double CrossThreadMaxNs, double[] CrossThreadRunsNs);

/// <summary>Everything <c>speed</c> measured, as speed.json holds it.</summary>
internal sealed record SpeedResults(RunInfo Run, SpeedSettings Settings, IReadOnlyList<SpeedFigure> Rows, IReadOnlyList<HandoffFigure> Handoff);

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using PooledGen.Benchmarks.Shared;

namespace PooledGen.Workloads.BinaryTrees;

/// <summary>A way to build the trees, as the tables name it.</summary>
/// <param name="Id">The name --variants selects it by.</param>
/// <param name="Allocator">Who allocates.</param>
/// <param name="Api">What it calls.</param>
/// <param name="Peer">The native library it needs, if any.</param>
/// <param name="Run">One run: (max depth, parallel, threads) to its checks and GC bytes.</param>
internal sealed record TreeVariant(string Id, string Allocator, string Api, NativePeer? Peer, Func<int, bool, int, TreeRunResult> Run)
{
    public static TreeVariant Of<TTrees, TTree>(string id, string allocator, string api, NativePeer? peer)
        where TTrees : ITrees<TTree> => new(id, allocator, api, peer, TreeWorkload.Run<TTrees, TTree>);
}

/// <summary>
/// <c>binarytrees</c>: every variant, single-threaded and parallel over depths, <c>--runs</c> timed runs each, in
/// this one process. Each run's checks are compared with the closed form (so with every other variant's): a
/// mismatch stops the program with exit code 1. Each run also records the GC's work and PooledGen's arena traffic.
/// </summary>
internal static class BinaryTreesCommand
{
    public const string Usage = """
        binarytrees [options]  the benchmarks game's binary-trees, every variant in this process
          --depth N            maximum depth (default 18; at least 6)
          --runs N             timed runs per variant and mode; the median is reported (default 5)
          --modes LIST         of single,parallel (default: both)
          --threads N          worker threads of the parallel mode (default: the number of cores)
          --variants LIST      of pooled, pooled-copy, pooled-local, pooled-local-copy, class, mimalloc,
                               mimalloc-zalloc, glibc (default: all)
          --quick              depth 12, 2 runs: a check that it works, not a measurement
          --out DIR            where binarytrees.md, .json and .png go (default: artifacts/workloads)
        """;

    /// <summary>The PooledGen variant every other is compared with.</summary>
    public const string Baseline = "pooled";

    /// <summary>The PooledGen variant through an explicit LocalHeap, which every other is also compared with.</summary>
    public const string LocalBaseline = "pooled-local";

    public static readonly TreeVariant[] Variants =
    [
        TreeVariant.Of<PooledTrees, Pooled<Node>>(Baseline, "PooledGen", "`Node.Alloc()` / `Node.Free()`", null),
        TreeVariant.Of<PooledCopyTrees, Pooled<Node>>("pooled-copy", "PooledGen", "`Node.Alloc(in value)` / `Node.Free()`", null),
        TreeVariant.Of<LocalHeapTrees, Pooled<Node>>(LocalBaseline, "PooledGen",
            "`Node.Alloc(heap)` / `Node.Free(heap, h)`, `heap = PooledHeap.Local` once per tree, passed down", null),
        TreeVariant.Of<LocalHeapCopyTrees, Pooled<Node>>("pooled-local-copy", "PooledGen",
            "`Node.Alloc(heap, in value)` / `Node.Free(heap, h)`, `heap = PooledHeap.Local` once per tree, passed down", null),
        TreeVariant.Of<ClassTrees, ClassTrees.TreeNode>("class", "class nodes", "`new TreeNode(left, right)`, left to the GC", null),
        TreeVariant.Of<NativeTrees<MimallocMalloc>, nint>("mimalloc", "mimalloc", "`mi_malloc` / `mi_free`, `Node*`", NativePeer.Mimalloc),
        TreeVariant.Of<NativeTrees<MimallocZalloc>, nint>("mimalloc-zalloc", "mimalloc", "`mi_zalloc` / `mi_free`, `Node*`", NativePeer.Mimalloc),
        TreeVariant.Of<NativeTrees<GlibcMalloc>, nint>("glibc", "glibc", "`malloc` / `free`, `Node*`", NativePeer.Glibc),
    ];

    private const int WarmupMilliseconds = 300;

    private static readonly string[] ModeNames = ["single", "parallel"];

    public static int Run(Arguments arguments)
    {
        var quick = arguments.Flag("quick");
        var depth = arguments.Int("depth", quick ? 12 : 18, TreeChecks.MinDepth + 2, 24);
        var runs = arguments.Int("runs", quick ? 2 : 5, 1);
        var modes = arguments.Choices("modes", ModeNames);
        var threads = arguments.Int("threads", Environment.ProcessorCount, 1, 1024);
        var ids = arguments.Choices("variants", Variants.Select(v => v.Id).ToArray());
        var folder = ResultFiles.Folder(arguments);
        arguments.ThrowIfUnknown();

        var variants = Variants.Where(v => ids.Contains(v.Id) && (v.Peer?.IsAvailableFor("binary-trees " + v.Allocator + " " + v.Api) ?? true)).ToList();
        var info = RunInfo.Capture("binarytrees", arguments, variants.Select(v => v.Peer).OfType<NativePeer>());
        Console.WriteLine(info.ToMarkdown());
        var expected = TreeChecks.Expected(depth);
        Console.WriteLine();
        Console.WriteLine(string.Join('\n', expected.Lines()));
        Console.WriteLine();

        var figures = new List<TreeFigure>();
        foreach (var mode in modes)
        {
            foreach (var variant in variants)
            {
                figures.Add(Measure(variant, mode, depth, runs, threads, expected));
            }
        }

        var withRatios = figures.Select(f => f with
        {
            Ratio = RatioTo(Baseline, f, figures),
            LocalRatio = RatioTo(LocalBaseline, f, figures),
        }).ToList();
        var results = new TreeResults(info, depth, runs, threads, expected.Lines().ToArray(), withRatios);
        var markdown = ToMarkdown(results);
        Console.WriteLine();
        Console.WriteLine(markdown);
        ResultFiles.Write(folder, "binarytrees", markdown, results);
        WriteChart(folder, results);
        return 0;
    }

    private static double? RatioTo(string variant, TreeFigure figure, List<TreeFigure> all) =>
        all.FirstOrDefault(b => b.Mode == figure.Mode && b.Variant == variant) is { } baseline ? figure.MedianSeconds / baseline.MedianSeconds : null;

    // Seconds per variant, one group per mode.
    private static void WriteChart(string folder, TreeResults results)
    {
        var modes = results.Figures.Select(f => f.Mode).Distinct().ToArray();
        var variants = results.Figures.Select(f => f.Variant).Distinct().ToArray();
        var legend = variants.Select(v => results.Figures.First(f => f.Variant == v)).Select(f => Format.Legend(f.Allocator, f.Api)).ToArray();
        var path = System.IO.Path.Combine(folder, "binarytrees.png");
        GroupedBarChart.Write(path, $"binary-trees, depth {results.MaxDepth}: median seconds per run", "mode", "seconds (lower is better)",
            modes.Select(m => ModeName(m, results.Threads)).ToArray(), legend,
            (g, s) => results.Figures.FirstOrDefault(f => f.Mode == modes[g] && f.Variant == variants[s])?.MedianSeconds);
        Console.WriteLine($"Wrote {path}");
    }

    private static string ModeName(string mode, int threads) => mode == "parallel" ? $"parallel ({threads} workers)" : "single thread";

    private static TreeFigure Measure(TreeVariant variant, string mode, int depth, int runs, int threads, TreeChecks expected)
    {
        var parallel = mode == "parallel";
        // Small untimed runs first, for long enough that the recursion has been promoted to optimised code (the JIT
        // waits about 100 ms after the last new method before it recompiles hot ones) before the clock starts.
        var warmup = Stopwatch.StartNew();
        do
        {
            variant.Run(Math.Min(depth, 10), parallel, threads);
        }
        while (warmup.ElapsedMilliseconds < WarmupMilliseconds);

        var measured = new List<TreeRun>();
        for (var run = 1; run <= runs; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var arenasBefore = PooledHeap.GetStatistics();
            var gcBytes = GC.GetTotalAllocatedBytes(precise: true);
            var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var pause = GC.GetTotalPauseDuration();
            var clock = Stopwatch.StartNew();

            var result = variant.Run(depth, parallel, threads);

            clock.Stop();
            var gcBytesAfter = GC.GetTotalAllocatedBytes(precise: true);
            var arenasAfter = PooledHeap.GetStatistics();
            var checks = result.Checks;
            if (!checks.SameAs(expected))
            {
                throw new ChecksumMismatchException(
                    $"binary-trees {variant.Id} ({mode}, run {run}) printed\n  {string.Join("\n  ", checks.Lines())}\n"
                    + $"but every correct run prints\n  {string.Join("\n  ", expected.Lines())}");
            }

            measured.Add(new TreeRun(run, clock.Elapsed.TotalSeconds, result.GcBytesInTrees, gcBytesAfter - gcBytes,
                GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2,
                (GC.GetTotalPauseDuration() - pause).TotalMilliseconds,
                arenasAfter.ArenasAllocated - arenasBefore.ArenasAllocated, arenasAfter.ArenasReleased - arenasBefore.ArenasReleased));
            Console.Error.WriteLine($"  {mode,-8} {variant.Id,-16} run {run}: {Format.Fixed(clock.Elapsed.TotalSeconds, 3)} s");
        }

        var spread = Spread.Of(measured.Select(r => r.Seconds).ToArray());
        return new TreeFigure(variant.Id, variant.Allocator, variant.Api, mode, spread.Median, spread.Min, spread.Max, null, measured);
    }

    private static string ToMarkdown(TreeResults results)
    {
        var text = new StringBuilder();
        text.AppendLine(results.Run.ToMarkdown()).AppendLine();
        text.AppendLine($"### binary-trees, depth {results.MaxDepth}: median of {results.Runs} runs (checks equal in every run)").AppendLine();
        var summary = new MarkdownTable("Allocator", "API", "Mode", ">seconds", ">min–max", ">vs PooledGen", ">vs PooledGen LocalHeap", ">GC bytes in trees/run", ">GC MiB/run", ">GCs/run", ">GC pause ms/run", ">arenas mapped/released per run");
        foreach (var f in results.Figures)
        {
            summary.Add(f.Allocator, f.Api, ModeName(f.Mode, results.Threads),
                Format.Fixed(f.MedianSeconds, 3), new Spread(f.MedianSeconds, f.MinSeconds, f.MaxSeconds).Range("F3"),
                f.Ratio is { } r ? Format.Ratio(r) : "–", f.LocalRatio is { } l ? Format.Ratio(l) : "–",
                Format.Count((long)Median(f, r => r.GcBytesInTrees)), Format.MiB((long)Median(f, r => r.GcBytes)), Format.Fixed(Median(f, r => r.Gen0Collections), 0),
                Format.Fixed(Median(f, r => r.GcPauseMilliseconds), 1),
                f.Variant.StartsWith("pooled", StringComparison.Ordinal)
                    ? $"{Format.Count((long)Median(f, r => r.ArenasAllocated))} / {Format.Count((long)Median(f, r => r.ArenasReleased))}"
                    : "–");
        }

        text.Append(summary).AppendLine();
        text.AppendLine("vs PooledGen = this row's median ÷ the median of PooledGen `Node.Alloc()` in the same mode; vs PooledGen "
            + "LocalHeap = the same against `Node.Alloc(heap)`; above 1, PooledGen is faster. The parallel mode's worker threads "
            + "each call `PooledHeap.DetachCurrentThread()` as their last act. GC figures are medians over the runs: GC bytes in trees = allocated by the threads while they built, "
            + "checked and freed trees (`GC.GetAllocatedBytesForCurrentThread()` around that work); GC MiB = the whole process "
            + "during the run (`GC.GetTotalAllocatedBytes(true)`, the harness's own arrays and worker threads included); "
            + "collections of any generation, `GC.GetTotalPauseDuration()`; arenas from `PooledHeap.GetStatistics()`.").AppendLine();

        text.AppendLine("Every run:").AppendLine();
        var perRun = new MarkdownTable("Allocator", "API", "Mode", ">run", ">seconds", ">GC bytes in trees", ">GC bytes", ">GCs gen0/1/2", ">GC pause ms", ">arenas mapped", ">arenas released");
        foreach (var f in results.Figures)
        {
            foreach (var r in f.Runs)
            {
                perRun.Add(f.Allocator, f.Api, f.Mode, r.Run.ToString(System.Globalization.CultureInfo.InvariantCulture), Format.Fixed(r.Seconds, 3),
                    Format.Count(r.GcBytesInTrees), Format.Count(r.GcBytes), $"{r.Gen0Collections}/{r.Gen1Collections}/{r.Gen2Collections}",
                    Format.Fixed(r.GcPauseMilliseconds, 1), Format.Count(r.ArenasAllocated), Format.Count(r.ArenasReleased));
            }
        }

        text.Append(perRun);
        return text.ToString();
    }

    private static double Median(TreeFigure figure, Func<TreeRun, double> value) => Spread.Of(figure.Runs.Select(value).ToArray()).Median;
}

/// <summary>A run whose trees did not have the node counts the rules give: the variant is wrong, and nothing it timed counts.</summary>
internal sealed class ChecksumMismatchException(string message) : Exception(message);

/// <summary>One timed run and what the GC and PooledGen did during it.</summary>
internal sealed record TreeRun(
    int Run, double Seconds, long GcBytesInTrees, long GcBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections,
    double GcPauseMilliseconds, long ArenasAllocated, long ArenasReleased);

/// <summary>A variant in a mode: its runs and their median.</summary>
internal sealed record TreeFigure(
    string Variant, string Allocator, string Api, string Mode,
    double MedianSeconds, double MinSeconds, double MaxSeconds, double? Ratio, IReadOnlyList<TreeRun> Runs, double? LocalRatio = null);

/// <summary>Everything <c>binarytrees</c> measured, as binarytrees.json holds it.</summary>
internal sealed record TreeResults(RunInfo Run, int MaxDepth, int Runs, int Threads, string[] Output, IReadOnlyList<TreeFigure> Figures);

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace PooledGen.Benchmarks.Report;

/// <summary>
/// <c>--bdn DIR --out DIR [--info FILE]</c>: reads BenchmarkDotNet's JSON reports from one run and the memory
/// harness's memory.json / memory.md (in the out folder), and writes summary.md (figures, ratios against every peer,
/// the targets of issue #7) and one chart of ns per operation by allocator and size per pattern.
/// </summary>
public static class Program
{
    /// <summary>Writes the summary and the charts.</summary>
    public static int Main(string[] args)
    {
        var bdn = Argument(args, "--bdn") ?? throw new ArgumentException("--bdn DIR is required");
        var outDir = Argument(args, "--out") ?? throw new ArgumentException("--out DIR is required");
        var info = Argument(args, "--info");

        var rows = Results.Load(bdn);
        if (rows.Count == 0)
        {
            Console.Error.WriteLine($"No BenchmarkDotNet JSON reports under {bdn}.");
            return 1;
        }

        var memory = MemoryResult.Load(Path.Combine(outDir, "memory.json"));
        var charts = new List<string>();
        foreach (var pattern in Results.Patterns.Where(p => rows.Any(r => r.Suite == p.Suite)))
        {
            var file = $"ns-per-op-{pattern.Suite.ToLowerInvariant()}.png";
            Chart.Write(rows, pattern, Path.Combine(outDir, file));
            charts.Add(file);
        }

        var summary = Summary.Write(rows, memory, info is null ? null : File.ReadAllText(info),
            File.Exists(Path.Combine(outDir, "memory.md")) ? File.ReadAllText(Path.Combine(outDir, "memory.md")) : null, charts);
        File.WriteAllText(Path.Combine(outDir, "summary.md"), summary);
        Console.WriteLine(summary);
        return 0;
    }

    private static string? Argument(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

/// <summary>One benchmark case: median ns per operation (robust to the other builds sharing the machine) and GC bytes per operation.</summary>
public sealed record Row(string Suite, string Method, int Size, double MedianNs, double AllocatedBytes);

/// <summary>A pattern suite and how the summary names it.</summary>
public sealed record Pattern(string Suite, string Title);

/// <summary>Reading BenchmarkDotNet's brief JSON reports.</summary>
public static class Results
{
    /// <summary>The allocators in the order the tables and charts show them.</summary>
    public static readonly string[] Allocators =
        ["PooledGen", "PooledGenLocal", "FreeList", "NativeMemory", "Glibc", "Mimalloc", "MimallocCalloc", "Pymalloc", "ManagedNew", "ObjectPool"];

    /// <summary>The alloc/free patterns.</summary>
    public static readonly Pattern[] Patterns =
    [
        new("Batch", "Batch: alloc 1,024, then free all"),
        new("LifoPairs", "LIFO pairs: alloc, then free at once"),
        new("RandomFrees", "Random-order frees over 100,000 live blocks"),
    ];

    /// <summary>Every case of every *-report-brief.json under <paramref name="folder"/>.</summary>
    public static List<Row> Load(string folder)
    {
        var rows = new List<Row>();
        foreach (var file in Directory.EnumerateFiles(folder, "*-report-brief.json", SearchOption.AllDirectories))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var benchmark in json.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                if (!benchmark.TryGetProperty("Statistics", out var statistics) || statistics.ValueKind != JsonValueKind.Object)
                {
                    continue; // a case that failed has no statistics
                }

                var parameters = benchmark.GetProperty("Parameters").GetString() ?? "";
                var size = parameters.StartsWith("Size=", StringComparison.Ordinal)
                    ? int.Parse(parameters["Size=".Length..], CultureInfo.InvariantCulture)
                    : 32;
                var allocated = benchmark.TryGetProperty("Memory", out var memory)
                    ? memory.GetProperty("BytesAllocatedPerOperation").GetDouble()
                    : double.NaN;
                rows.Add(new Row(benchmark.GetProperty("Type").GetString()!, benchmark.GetProperty("Method").GetString()!, size,
                    statistics.GetProperty("Median").GetDouble(), allocated));
            }
        }

        return rows;
    }

    /// <summary>The case, or null when it was not run (a peer that is not installed).</summary>
    public static Row? Find(this List<Row> rows, string suite, string method, int size = 32) =>
        rows.FirstOrDefault(r => r.Suite == suite && r.Method == method && r.Size == size);
}

/// <summary>The memory harness's figures for one allocator (see MemoryHarness in PooledGen.Benchmarks).</summary>
public sealed record MemoryResult(
    string Allocator, int LiveBlocks, long RequestedBytes, long RssStart, long PeakRss, long RssSteady, long ReservedSteady,
    long InUseSteady, long RssAfterFree90, long ReservedAfterFree90, long RssAfterFree90Trim, long ReservedAfterFree90Trim,
    long RssEnd, long ReservedEnd, long RssEndAfterMallocTrim, string Notes)
{
    /// <summary>memory.json, or an empty list when the harness did not run.</summary>
    public static List<MemoryResult> Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<List<MemoryResult>>(File.ReadAllText(path)) ?? [] : [];
}

/// <summary>A grouped bar chart per pattern: ns per alloc+free pair, one group per size, one bar per allocator.</summary>
public static class Chart
{
    /// <summary>Writes the chart of <paramref name="pattern"/> to <paramref name="path"/>.</summary>
    public static void Write(List<Row> rows, Pattern pattern, string path)
    {
        var sizes = rows.Where(r => r.Suite == pattern.Suite).Select(r => r.Size).Distinct().Order().ToArray();
        var allocators = Results.Allocators.Where(a => rows.Any(r => r.Suite == pattern.Suite && r.Method == a)).ToArray();
        PooledGen.Benchmarks.Shared.GroupedBarChart.Write(path, pattern.Title, "payload size", "ns per alloc+free (lower is better)",
            sizes.Select(size => $"{size} B").ToArray(), allocators,
            (s, a) => rows.Find(pattern.Suite, allocators[a], sizes[s])?.MedianNs);
    }
}

/// <summary>summary.md: the run, the targets of issue #7, the figures with ratios, the memory harness, the charts.</summary>
public static class Summary
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The markdown text.</summary>
    public static string Write(List<Row> rows, List<MemoryResult> memory, string? info, string? memoryMarkdown, List<string> charts)
    {
        var md = new StringBuilder();
        md.AppendLine("# PooledGen benchmark results");
        md.AppendLine();
        if (info is not null)
        {
            md.AppendLine(info.TrimEnd());
            md.AppendLine();
        }

        md.AppendLine("Times are BenchmarkDotNet's median per operation (the *-report-github.md files beside this one also give the mean).");
        md.AppendLine("Ratios are peer time ÷ PooledGen time from the same run: above 1.00 PooledGen is faster, below 1.00 it is slower.");
        md.AppendLine();
        Targets(md, rows, memory);
        LocalHeapTargets(md, rows);

        foreach (var pattern in Results.Patterns)
        {
            Pattern(md, rows, pattern);
        }

        CrossThread(md, rows);
        Generator(md, rows);

        if (memoryMarkdown is not null)
        {
            md.AppendLine("## Memory: churn of 48-byte blocks (one process per allocator)");
            md.AppendLine();
            md.AppendLine(memoryMarkdown.TrimEnd());
            md.AppendLine();
        }

        if (charts.Count > 0)
        {
            md.AppendLine("## Charts");
            md.AppendLine();
            foreach (var chart in charts)
            {
                md.AppendLine($"![{chart}]({chart})");
                md.AppendLine();
            }
        }

        return md.ToString();
    }

    private static void Targets(StringBuilder md, List<Row> rows, List<MemoryResult> memory)
    {
        md.AppendLine("## Targets of issue #7");
        md.AppendLine();
        md.AppendLine("| Target | Measured | Met? |");
        md.AppendLine("|---|--:|:-:|");
        var pooled = rows.Find("Batch", "PooledGen");
        foreach (var (peer, label, wanted) in new[] { ("Mimalloc", "mimalloc", 2.0), ("Glibc", "glibc (malloc called directly)", 4.0), ("Pymalloc", "pymalloc", 3.0) })
        {
            var row = rows.Find("Batch", peer);
            var ratio = pooled is null || row is null ? (double?)null : row.MedianNs / pooled.MedianNs;
            md.AppendLine(Invariant, $"| Batch 32 B: ≥ {wanted:0}x faster than {label} | {Format(ratio, "0.00", "x")} | {Met(ratio >= wanted, ratio)} |");
        }

        md.AppendLine(Invariant, $"| Batch 32 B: 0 bytes on the GC heap | {(pooled is null ? "n/a" : $"{pooled.AllocatedBytes:0} B/op")} | {Met(pooled?.AllocatedBytes == 0, pooled?.AllocatedBytes)} |");

        var same = rows.Find("CrossThread", "PooledGenSameThread");
        var cross = rows.Find("CrossThread", "PooledGenCrossThread");
        var crossRatio = same is null || cross is null ? (double?)null : cross.MedianNs / same.MedianNs;
        md.AppendLine(Invariant, $"| Cross-thread free within 2x of same-thread | {Format(crossRatio, "0.00", "x")} | {Met(crossRatio <= 2, crossRatio)} |");

        var churn = memory.FirstOrDefault(m => m.Allocator == "PooledGen");
        double? reservedRatio = churn is null || churn.ReservedSteady < 0 ? null : (double)churn.ReservedSteady / churn.InUseSteady;
        md.AppendLine(Invariant, $"| Churn: reserved ≤ 1.25x in use | {Format(reservedRatio, "0.00", "x")} | {Met(reservedRatio <= 1.25, reservedRatio)} |");
        double? trimmed = churn is null ? null : (churn.RssEnd - churn.RssStart) / 1048576.0;
        md.AppendLine(Invariant, $"| Free-all + Trim: RSS within 5 MiB of start | {Format(trimmed, "+0.0;-0.0", " MiB")} | {Met(trimmed <= 5, trimmed)} |");
        md.AppendLine();
    }

    // Issue #16's speed targets, as far as these suites measure them (mimalloc's mi_malloc, the free list, both PooledGen paths).
    private static void LocalHeapTargets(StringBuilder md, List<Row> rows)
    {
        md.AppendLine("## Targets of issue #16 (`PooledGenLocal` = `heap.Alloc<T>()` / `heap.Free(h)` through `PooledHeap.Local`)");
        md.AppendLine();
        md.AppendLine("| Target | Measured | Met? |");
        md.AppendLine("|---|--:|:-:|");
        var local = rows.Find("Batch", "PooledGenLocal");
        var floor = rows.Find("Batch", "FreeList");
        var toFloor = local is null || floor is null ? (double?)null : local.MedianNs / floor.MedianNs;
        md.AppendLine(Invariant, $"| Batch 32 B: LocalHeap within 1.3x of the free list (LocalHeap time ÷ free-list time) | {Format(toFloor, "0.00", "x")} | {Met(toFloor <= 1.3, toFloor)} |");
        var pooled = rows.Find("Batch", "PooledGen");
        var mimalloc = rows.Find("Batch", "Mimalloc");
        var implicitRatio = pooled is null || mimalloc is null ? (double?)null : mimalloc.MedianNs / pooled.MedianNs;
        md.AppendLine(Invariant, $"| Batch 32 B: `Alloc<T>()` faster than mimalloc (mimalloc ÷ PooledGen) | {Format(implicitRatio, "0.00", "x")} | {Met(implicitRatio > 1, implicitRatio)} |");
        foreach (var (method, label) in new[] { ("PooledGenLocal", "LocalHeap faster than mimalloc (ratio > 1.00)"), ("PooledGen", "`Alloc<T>()` at least level with mimalloc (ratio ≥ 1.00)") })
        {
            var cases = Results.Patterns
                .SelectMany(p => rows.Where(r => r.Suite == p.Suite && r.Method == method))
                .Select(r => (r, peer: rows.Find(r.Suite, "Mimalloc", r.Size)))
                .Where(c => c.peer is not null)
                .Select(c => c.peer!.MedianNs / c.r.MedianNs)
                .ToList();
            var met = cases.Count(ratio => method == "PooledGen" ? ratio >= 1 : ratio > 1);
            md.AppendLine(Invariant, $"| Every size, batch/LIFO/random: {label} | {(cases.Count == 0 ? "n/a" : $"{met} of {cases.Count} cases; worst {cases.Min():0.00}x")} | {Met(met == cases.Count, cases.Count == 0 ? null : cases.Min())} |");
        }

        md.AppendLine();
    }

    private static void Pattern(StringBuilder md, List<Row> rows, Pattern pattern)
    {
        var sizes = rows.Where(r => r.Suite == pattern.Suite).Select(r => r.Size).Distinct().Order().ToArray();
        if (sizes.Length == 0)
        {
            return;
        }

        var allocators = Results.Allocators.Where(a => rows.Any(r => r.Suite == pattern.Suite && r.Method == a)).ToArray();
        md.AppendLine($"## {pattern.Title}");
        md.AppendLine();
        md.AppendLine("ns per alloc+free pair (ratio to PooledGen); GC bytes per pair where not zero.");
        md.AppendLine();
        md.AppendLine("| Size | " + string.Join(" | ", allocators) + " |");
        md.AppendLine("|--:|" + string.Concat(allocators.Select(_ => "--:|")));
        foreach (var size in sizes)
        {
            var pooled = rows.Find(pattern.Suite, "PooledGen", size);
            var cells = allocators.Select(a => rows.Find(pattern.Suite, a, size) is { } row
                ? Cell(row, a == "PooledGen" ? null : pooled)
                : "skipped");
            md.AppendLine($"| {size} B | " + string.Join(" | ", cells) + " |");
        }

        md.AppendLine();
    }

    private static void CrossThread(StringBuilder md, List<Row> rows)
    {
        if (!rows.Any(r => r.Suite == "CrossThread"))
        {
            return;
        }

        md.AppendLine("## Cross-thread: one thread allocates 32 B blocks, another frees them");
        md.AppendLine();
        md.AppendLine("| Allocator | Same thread ns | Cross thread ns | Cross ÷ same | Cross-thread ratio to PooledGen |");
        md.AppendLine("|---|--:|--:|--:|--:|");
        var pooledCross = rows.Find("CrossThread", "PooledGenCrossThread");
        foreach (var allocator in new[] { "PooledGen", "Mimalloc", "Glibc" })
        {
            var same = rows.Find("CrossThread", allocator + "SameThread");
            var cross = rows.Find("CrossThread", allocator + "CrossThread");
            if (same is null || cross is null)
            {
                md.AppendLine($"| {allocator} | skipped | skipped | | |");
                continue;
            }

            var toPooled = allocator == "PooledGen" || pooledCross is null ? "" : $"{cross.MedianNs / pooledCross.MedianNs:0.00}x";
            md.AppendLine(Invariant, $"| {allocator} | {same.MedianNs:0.00} | {cross.MedianNs:0.00} | {cross.MedianNs / same.MedianNs:0.00}x | {toPooled} |");
        }

        md.AppendLine();
    }

    private static void Generator(StringBuilder md, List<Row> rows)
    {
        var cold = rows.Find("Generator", "Cold");
        var edit = rows.Find("Generator", "AfterUnrelatedEdit");
        if (cold is null && edit is null)
        {
            return;
        }

        md.AppendLine("## Generator: PooledGenerator over 2,000 [Pooled] structs");
        md.AppendLine();
        md.AppendLine("| Run | Time ms | Allocated MB |");
        md.AppendLine("|---|--:|--:|");
        foreach (var (label, row) in new[] { ("Cold (fresh compilation and driver)", cold), ("After an unrelated edit (warm driver)", edit) })
        {
            md.AppendLine(row is null
                ? $"| {label} | not run | |"
                : string.Create(Invariant, $"| {label} | {row.MedianNs / 1e6:0.0} | {row.AllocatedBytes / 1e6:0.0} |"));
        }

        md.AppendLine();
    }

    private static string Cell(Row row, Row? pooled)
    {
        var text = row.MedianNs.ToString("0.00", Invariant);
        if (pooled is not null)
        {
            text += $" ({(row.MedianNs / pooled.MedianNs).ToString("0.00", Invariant)}x)";
        }

        if (row.AllocatedBytes > 0)
        {
            text += $", {row.AllocatedBytes.ToString("0", Invariant)} B";
        }

        return text;
    }

    private static string Format(double? value, string format, string unit) =>
        value is { } v ? v.ToString(format, Invariant) + unit : "n/a";

    private static string Met(bool met, double? value) => value is null ? "not measured" : met ? "yes" : "**no**";
}

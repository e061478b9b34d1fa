using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using PooledGen.Benchmarks.Shared;

namespace PooledGen.Workloads.Larson;

/// <summary>A larson variant: an allocator, and how to ask it what it holds from the system.</summary>
/// <param name="Id">The name --variants selects it by.</param>
/// <param name="Allocator">Who allocates.</param>
/// <param name="Api">What it calls.</param>
/// <param name="Peer">The native library it needs, if any.</param>
/// <param name="Zeroes">True when it hands out zeroed blocks (calloc), so it is compared with PooledGen's zeroing variants.</param>
/// <param name="Run">The whole measurement, run inside the child process.</param>
internal sealed record LarsonVariant(string Id, string Allocator, string Api, NativePeer? Peer, bool Zeroes, Func<LarsonSettings, LarsonFigures> Run)
{
    public static LarsonVariant Of<TAllocator>(string id, string allocator, string api, NativePeer? peer, bool zeroes, Func<long> heldBytes)
        where TAllocator : IUntypedAllocator<TAllocator>, allows ref struct =>
        new(id, allocator, api, peer, zeroes, settings => LarsonWorkload.Run<TAllocator>(id, settings, heldBytes));
}

/// <summary>
/// <c>larson</c>: each variant runs in its OWN child process (this program again, with <c>--child</c>), so that peak
/// RSS, RSS at the end and the GC's figures are that allocator's alone; the parent collects one JSON line from each.
/// </summary>
internal static class LarsonCommand
{
    public const string Usage = """
        larson [options]     the larson server simulation, each allocator in its own process
          --seconds N          wall time of each run (default 5)
          --threads N          threads at once (default 2)
          --slots N            blocks per thread (default 5,000)
          --steps N            steps before a thread hands its blocks to a new thread (default 500,000)
          --min-size N         smallest block in bytes (default 16)
          --max-size N         largest block in bytes, inclusive (default 512)
          --seed N             seed of the generators (default 4141)
          --variants LIST      of pooled, pooled-uninitialized, pooled-local, pooled-local-sized, pooled-local-zeroed, mimalloc,
                               mimalloc-zalloc, glibc (default: all)
          --quick              1-second runs: a check that it works, not a measurement
          --out DIR            where larson.md, .json and .png go (default: artifacts/workloads)
        """;

    /// <summary>PooledGen's zeroing untyped path, <c>PooledHeap.Allocate</c>: the zeroing rows' implicit counterpart.</summary>
    public const string Baseline = "pooled";

    /// <summary>PooledGen's non-zeroing untyped path, <c>PooledHeap.AllocateUninitialized</c>: the malloc rows' implicit counterpart.</summary>
    public const string UninitializedBaseline = "pooled-uninitialized";

    /// <summary><c>heap.AllocateUninitialized</c> through each thread's LocalHeap: the malloc rows' LocalHeap counterpart.</summary>
    public const string LocalBaseline = "pooled-local";

    /// <summary><c>heap.Allocate</c> through each thread's LocalHeap: the zeroing rows' LocalHeap counterpart.</summary>
    public const string LocalZeroedBaseline = "pooled-local-zeroed";

    // What PooledGen keeps resident (pools touched and not decommitted, large blocks), as mimalloc's figure is its commit.
    private static readonly Func<long> PooledHeld = () => PooledHeap.GetStatistics().BytesCommitted;

    // An id starting with "pooled" also reports PooledGen's bytes in use at the end.
    public static readonly LarsonVariant[] Variants =
    [
        LarsonVariant.Of<PooledUntyped>(Baseline, "PooledGen", "`PooledHeap.Allocate(size)` / `PooledHeap.Free(ptr)` (zeroed)", null, true, PooledHeld),
        LarsonVariant.Of<PooledUntypedUninitialized>(UninitializedBaseline, "PooledGen",
            "`PooledHeap.AllocateUninitialized(size)` / `PooledHeap.Free(ptr)` (not zeroed)", null, false, PooledHeld),
        LarsonVariant.Of<LocalHeapUntyped>(LocalBaseline, "PooledGen",
            "`heap.AllocateUninitialized(size)` / `heap.Free(ptr)` (not zeroed), each thread's own `heap = PooledHeap.Local` taken when it starts",
            null, false, PooledHeld),
        LarsonVariant.Of<LocalHeapUntypedSized>("pooled-local-sized", "PooledGen",
            "`heap.AllocateUninitialized(size)` / `heap.FreeUnchecked(ptr, size)` (not zeroed; the pointer trusted, as C's `free_sized`), each thread's own `heap = PooledHeap.Local`",
            null, false, PooledHeld),
        LarsonVariant.Of<LocalHeapUntypedZeroed>(LocalZeroedBaseline, "PooledGen",
            "`heap.Allocate(size)` / `heap.Free(ptr)` (zeroed), each thread's own `heap = PooledHeap.Local` taken when it starts",
            null, true, PooledHeld),
        LarsonVariant.Of<NativeUntyped<MimallocMalloc>>("mimalloc", "mimalloc", "`mi_malloc` / `mi_free`", NativePeer.Mimalloc, false,
            MimallocLibrary.CommittedBytes),
        LarsonVariant.Of<NativeUntyped<MimallocZalloc>>("mimalloc-zalloc", "mimalloc", "`mi_zalloc` / `mi_free` (zeroed)", NativePeer.Mimalloc, true,
            MimallocLibrary.CommittedBytes),
        LarsonVariant.Of<NativeUntyped<GlibcMalloc>>("glibc", "glibc", "`malloc` / `free`", NativePeer.Glibc, false, GlibcHeapInfo.HeldBytes),
    ];

    public static int Run(Arguments arguments)
    {
        var child = arguments.String("child");
        var quick = arguments.Flag("quick");
        var settings = new LarsonSettings(
            Seconds: arguments.Double("seconds", quick ? 1 : 5, 0.01, 3600),
            Threads: arguments.Int("threads", 2, 1, 256),
            Slots: arguments.Int("slots", 5_000, 1),
            StepsPerThread: arguments.Int("steps", 500_000, 1),
            MinSize: arguments.Int("min-size", 16, 2, PooledHeap.SmallObjectThreshold),
            MaxSize: arguments.Int("max-size", 512, 2, 1 << 20),
            Seed: arguments.Int("seed", 4141, 0));
        if (settings.MaxSize < settings.MinSize)
        {
            throw new UsageException($"--max-size ({settings.MaxSize}) must be at least --min-size ({settings.MinSize}).");
        }

        var ids = arguments.Choices("variants", Variants.Select(v => v.Id).ToArray());
        if (child is not null)
        {
            arguments.ThrowIfUnknown();
            var variant = Variants.FirstOrDefault(v => v.Id == child) ?? throw new UsageException($"--child: no variant '{child}'.");
            Console.WriteLine(JsonSerializer.Serialize(variant.Run(settings), Json.Line));
            return 0;
        }

        var folder = ResultFiles.Folder(arguments);
        arguments.ThrowIfUnknown();
        var variants = Variants.Where(v => ids.Contains(v.Id) && (v.Peer?.IsAvailableFor("larson " + v.Allocator + " " + v.Api) ?? true)).ToList();
        var info = RunInfo.Capture("larson", arguments, variants.Select(v => v.Peer).OfType<NativePeer>());
        Console.WriteLine(info.ToMarkdown());

        var rows = new List<LarsonRow>();
        var failed = false;
        foreach (var variant in variants)
        {
            if (RunChild(variant, settings) is { } measured)
            {
                rows.Add(new LarsonRow(measured, variant.Allocator, variant.Api, variant.Zeroes));
                Console.Error.WriteLine($"  larson {variant.Id,-16} {Format.Fixed(measured.MopsPerSecond, 2),8} Mops/s");
            }
            else
            {
                failed = true;
            }
        }

        var results = new LarsonResults(info, settings, rows);
        var markdown = ToMarkdown(results);
        Console.WriteLine();
        Console.WriteLine(markdown);
        ResultFiles.Write(folder, "larson", markdown, results);
        WriteChart(folder, results);
        return failed ? 1 : 0;
    }

    // Mops/s per variant, one group.
    private static void WriteChart(string folder, LarsonResults results)
    {
        if (results.Rows.Count == 0)
        {
            return;
        }

        var s = results.Settings;
        var path = System.IO.Path.Combine(folder, "larson.png");
        GroupedBarChart.Write(path, "larson: alloc+free pairs per second over all threads", "variant", "Mops/s (higher is better)",
            [$"{s.Threads} threads × {s.Slots:N0} blocks of {s.MinSize}–{s.MaxSize} B"],
            results.Rows.Select(r => Format.Legend(r.Allocator, r.Api) + (r.Zeroes ? " (zeroed)" : "")).ToArray(),
            (_, i) => results.Rows[i].Figures.MopsPerSecond);
        Console.WriteLine($"Wrote {path}");
    }

    // PooledGen's Mops/s ÷ the row's, for the PooledGen variant that zeroes as the row does (or does not).
    private static string RatioTo(LarsonResults results, LarsonRow row, string zeroing, string notZeroing) =>
        results.Rows.FirstOrDefault(r => r.Figures.Variant == (row.Zeroes ? zeroing : notZeroing)) is { } pooled
            ? Format.Ratio(pooled.Figures.MopsPerSecond / row.Figures.MopsPerSecond)
            : "–";

    private static LarsonFigures? RunChild(LarsonVariant variant, LarsonSettings settings)
    {
        var child = ChildProcess.RunSelf(
        [
            "larson", "--child", variant.Id,
            "--seconds", settings.Seconds.ToString(CultureInfo.InvariantCulture),
            "--threads", Text(settings.Threads), "--slots", Text(settings.Slots), "--steps", Text(settings.StepsPerThread),
            "--min-size", Text(settings.MinSize), "--max-size", Text(settings.MaxSize), "--seed", Text(settings.Seed),
        ]);
        if (!child.Succeeded)
        {
            Console.WriteLine($"larson {variant.Id} failed in its child process (exit code {child.ExitCode}): {child.Output.Trim()}");
            return null;
        }

        return JsonSerializer.Deserialize<LarsonFigures>(child.JsonLine!, Json.Line);

        static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    private static readonly string IdleSeconds = Format.Fixed(LarsonWorkload.IdleAfterRun.TotalSeconds, 0);

    private static string HeldPerLive(long held, long live) =>
        held < 0 || live <= 0 ? "–" : Format.Fixed((double)held / live, 1) + "x";

    private static string ToMarkdown(LarsonResults results)
    {
        var s = results.Settings;
        var text = new StringBuilder();
        text.AppendLine(results.Run.ToMarkdown()).AppendLine();
        text.AppendLine($"### larson: {s.Threads} threads × {s.Slots:N0} blocks of {s.MinSize}–{s.MaxSize} bytes, a new thread every "
            + $"{s.StepsPerThread:N0} steps, {Format.Fixed(s.Seconds, 1)} s; each allocator in its own process").AppendLine();
        var table = new MarkdownTable("Allocator", "API", ">Mops/s", ">vs PooledGen", ">vs PooledGen LocalHeap", ">threads", ">RSS start MiB", ">peak RSS MiB",
            ">RSS end MiB", ">live MiB", ">held at end MiB", ">PooledGen in use MiB", ">held ÷ live", $">held {IdleSeconds} s later MiB",
            $">held {IdleSeconds} s later ÷ live", $">RSS {IdleSeconds} s later MiB", ">GC bytes in loops", ">GC bytes in run", ">GCs");
        foreach (var row in results.Rows)
        {
            var f = row.Figures;
            table.Add(row.Allocator, row.Api, Format.Fixed(f.MopsPerSecond, 2),
                RatioTo(results, row, Baseline, UninitializedBaseline), RatioTo(results, row, LocalZeroedBaseline, LocalBaseline),
                Format.Count(f.ThreadsRun), Format.MiB(f.RssStart), Format.MiB(f.PeakRss), Format.MiB(f.RssEnd), Format.MiB(f.LiveRequestedBytes),
                Format.MiB(f.AllocatorHeldBytes), Format.MiB(f.PooledBytesInUse), HeldPerLive(f.AllocatorHeldBytes, f.LiveRequestedBytes),
                Format.MiB(f.AllocatorHeldAfterIdleBytes), HeldPerLive(f.AllocatorHeldAfterIdleBytes, f.LiveRequestedBytes), Format.MiB(f.RssAfterIdle),
                Format.Count(f.GcBytesInLoops), Format.Count(f.GcBytesInRun),
                Format.Count(f.Collections));
        }

        text.Append(table).AppendLine();
        text.AppendLine("Mops/s = alloc+free pairs per second over all threads. vs PooledGen = the Mops/s of PooledGen's untyped "
            + "path that zeroes as this row does (`PooledHeap.Allocate` for zeroed rows, `PooledHeap.AllocateUninitialized` for the "
            + "others) ÷ this row's; vs PooledGen LocalHeap = the same with `heap.Allocate` / `heap.AllocateUninitialized`; above 1, "
            + "PooledGen is faster. Every larson thread calls `PooledHeap.DetachCurrentThread()` as its last act, before the next "
            + "thread starts, and so does the warm-up thread (main) once it has handed every block to the lanes. RSS from /proc/self/status (peak = VmHWM), including the .NET runtime's own. live = bytes "
            + "requested by the blocks alive at the end. held at end = what the allocator holds from the system, less what it held "
            + "before the run: PooledGen `BytesCommitted` (reserved less the pools purged), mimalloc's committed bytes "
            + "(`mi_process_info`), glibc's `mallinfo2` arena + hblkhd (the runtime's own mallocs included); held ÷ live = that "
            + $"÷ live; held {IdleSeconds} s later = the same reading after the process has idled {IdleSeconds} s with the live "
            + "blocks still held (PooledGen's purge delay, 1 s by default, has passed). GC bytes in loops = allocated by the larson threads while "
            + "stepping; in run = the whole process during the timed phase, thread starts included.");
        return text.ToString();
    }
}

/// <summary>A variant's figures with its names for the table.</summary>
internal sealed record LarsonRow(LarsonFigures Figures, string Allocator, string Api, bool Zeroes);

/// <summary>Everything <c>larson</c> measured, as larson.json holds it.</summary>
internal sealed record LarsonResults(RunInfo Run, LarsonSettings Settings, IReadOnlyList<LarsonRow> Rows);

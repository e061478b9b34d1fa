using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using PooledGen.Benchmarks.Shared;

namespace PooledGen.Benchmarks;

/// <summary>
/// The memory harness of issue #7 (not BenchmarkDotNet): 1,000,000 live 48-byte blocks churned by random frees and
/// re-allocations, then 90% freed at random, then everything freed and trimmed; and the cases of issue 17 (bursts,
/// clustered free, idle, random free: MemoryCases.cs). Each allocator runs each case in its own process so that RSS
/// and its peak belong to it alone; the parent collects the figures into memory.json, memory-cases.json, the RSS
/// chart of the bursts and memory.md.
/// </summary>
public static class MemoryHarness
{
    private const int BlockSize = 48;

    /// <summary>The allocators measured: PooledGen, glibc and mimalloc.</summary>
    public static readonly string[] Allocators = ["PooledGen", "Glibc", "Mimalloc"];

    /// <summary>
    /// <c>memory [--out DIR] [--cases churn,bursts,...]</c> runs every case and allocator in a child of its own;
    /// <c>memory --child NAME [--case CASE]</c> is one child (the churn without <c>--case</c>). The churn goes to
    /// memory.json as before, the cases of issue 17 (MemoryCases.cs) to memory-cases.json and the RSS chart of the
    /// bursts, and every table to memory.md.
    /// </summary>
    public static int Run(string[] args)
    {
        var child = Array.IndexOf(args, "--child");
        if (child >= 0)
        {
            var caseIndex = Array.IndexOf(args, "--case");
            object figures = caseIndex >= 0 ? MemoryCases.Measure(args[child + 1], args[caseIndex + 1]) : Measure(args[child + 1]);
            Console.WriteLine(JsonSerializer.Serialize(figures, figures.GetType()));
            return 0;
        }

        var outIndex = Array.IndexOf(args, "--out");
        var outDir = Path.GetFullPath(outIndex >= 0 ? args[outIndex + 1] : "results");
        Directory.CreateDirectory(outDir);
        var casesIndex = Array.IndexOf(args, "--cases");
        var cases = casesIndex >= 0 ? args[casesIndex + 1].Split(',') : ["churn", .. MemoryCases.All];
        var json = new JsonSerializerOptions { WriteIndented = true };
        var markdown = new StringBuilder();

        if (cases.Contains("churn"))
        {
            var results = new List<MemoryFigures>();
            foreach (var allocator in Allocators)
            {
                if (RunChild(allocator, null) is { } line)
                {
                    results.Add(JsonSerializer.Deserialize<MemoryFigures>(line)!);
                }
            }

            File.WriteAllText(Path.Combine(outDir, "memory.json"), JsonSerializer.Serialize(results, json) + "\n");
            markdown.Append(ToMarkdown(results));
        }

        var caseResults = new MemoryCaseResults([], []);
        foreach (var @case in MemoryCases.All.Where(cases.Contains))
        {
            foreach (var allocator in Allocators)
            {
                if (RunChild(allocator, @case) is not { } line)
                {
                    continue;
                }

                if (@case == "bursts")
                {
                    caseResults.Bursts.Add(JsonSerializer.Deserialize<BurstFigures>(line)!);
                }
                else
                {
                    caseResults.Timelines.Add(JsonSerializer.Deserialize<IdleTimelineFigures>(line)!);
                }
            }
        }

        if (caseResults.Bursts.Count + caseResults.Timelines.Count > 0)
        {
            File.WriteAllText(Path.Combine(outDir, "memory-cases.json"), JsonSerializer.Serialize(caseResults, json) + "\n");
            if (caseResults.Bursts.Count > 0)
            {
                MemoryCasesReport.WriteBurstChart(caseResults.Bursts, Path.Combine(outDir, MemoryCasesReport.BurstChart));
            }

            markdown.AppendLine().Append(MemoryCasesReport.ToMarkdown(caseResults, chartWritten: caseResults.Bursts.Count > 0));
        }

        File.WriteAllText(Path.Combine(outDir, "memory.md"), markdown.ToString());
        Console.WriteLine(markdown);
        return 0;
    }

    // One child process: the JSON line it printed, or null (with the reason printed) when it failed.
    private static string? RunChild(string allocator, string? @case)
    {
        var child = ChildProcess.RunSelf(@case is null ? ["memory", "--child", allocator] : ["memory", "--child", allocator, "--case", @case]);
        if (!child.Succeeded)
        {
            Console.WriteLine($"Skipping {allocator}{(@case is null ? "" : " in " + @case)}: {child.Output.Trim()}");
            return null;
        }

        return child.JsonLine;
    }

    private static MemoryFigures Measure(string allocator)
    {
        var quick = BenchmarkOptions.Quick;
        var live = quick ? 200_000 : 1_000_000;
        var rounds = quick ? 3 : 20;
        return allocator switch
        {
            "PooledGen" => new Churn<PooledAllocator<S48>, Pooled<S48>>("PooledGen", default, new PooledGenProbe(), live, rounds).Run(),
            "Glibc" => Native(NativePeer.Glibc, new GlibcProbe(), live, rounds),
            "Mimalloc" => Native(NativePeer.Mimalloc, new MimallocProbe(), live, rounds),
            _ => throw new ArgumentException($"Unknown allocator {allocator}."),
        };
    }

    private static MemoryFigures Native(NativePeer peer, IAllocatorProbe probe, int live, int rounds) =>
        peer.IsAvailable
            ? new Churn<NativeAllocator, nint>(peer.Name, peer.Blocks(BlockSize), probe, live, rounds).Run()
            : throw new InvalidOperationException(peer.Missing);

    private static string ToMarkdown(List<MemoryFigures> results)
    {
        static string MiB(long bytes) => bytes < 0 ? "n/a" : (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
        static string Delta(long a, long b) => a < 0 || b < 0 ? "n/a" : a >= b ? MiB(a - b) : "-" + MiB(b - a);
        static string Ratio(long a, long b) => a < 0 || b <= 0 ? "n/a" : ((double)a / b).ToString("0.00", CultureInfo.InvariantCulture);

        var text = new StringBuilder();
        text.AppendLine("| Allocator | Live blocks | Requested MiB | RSS start MiB | Peak RSS MiB | Steady RSS MiB | Reserved MiB | In use MiB | Reserved / in use | After 90% freed RSS MiB | … after Trim MiB | Given back MiB | After free-all + Trim RSS MiB | vs start MiB | … + malloc_trim, vs start MiB |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Allocator} | {r.LiveBlocks:N0} | {MiB(r.RequestedBytes)} | {MiB(r.RssStart)} | {MiB(r.PeakRss)} | {MiB(r.RssSteady)} | {MiB(r.ReservedSteady)} | {MiB(r.InUseSteady)} | {Ratio(r.ReservedSteady, r.InUseSteady)} | {MiB(r.RssAfterFree90)} | {MiB(r.RssAfterFree90Trim)} | {Delta(r.RssSteady, r.RssAfterFree90Trim)} | {MiB(r.RssEnd)} | {Delta(r.RssEnd, r.RssStart)} | {Delta(r.RssEndAfterMallocTrim, r.RssStart)} |"));
        }

        text.AppendLine();
        foreach (var r in results)
        {
            text.AppendLine($"- {r.Allocator}: {r.Notes}");
        }

        return text.ToString();
    }

    /// <summary>Two full collections around the finalizers: the managed heap is as small as it gets before RSS is read.</summary>
    internal static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>RSS and peak RSS of this process, from /proc/self/status.</summary>
    internal static (long Rss, long Peak) ReadRss()
    {
        var memory = ProcessMemory.Read();
        return (memory.Rss, memory.PeakRss);
    }

    /// <summary>What one allocator tells about itself: bytes reserved from the OS and in use (-1 where it cannot say).</summary>
    private interface IAllocatorProbe
    {
        string Notes { get; }

        (long Reserved, long InUse) Figures();

        void Trim();
    }

    /// <summary>PooledHeap.GetStatistics() (BytesReserved, BytesInUse) and PooledHeap.Trim().</summary>
    private sealed class PooledGenProbe : IAllocatorProbe
    {
        public string Notes => "reserved = PooledHeap.GetStatistics().BytesReserved, in use = BytesInUse (whole blocks); PooledHeap.Trim() as Trim";

        public (long Reserved, long InUse) Figures()
        {
            var statistics = PooledHeap.GetStatistics();
            return (statistics.BytesReserved, statistics.BytesInUse);
        }

        public void Trim() => PooledHeap.Trim();
    }

    /// <summary>glibc's mallinfo2() (less what the runtime itself had at the start) and malloc_trim(0).</summary>
    private sealed class GlibcProbe : IAllocatorProbe
    {
        private readonly (long Reserved, long InUse) _baseline = Raw();

        public string Notes => "reserved = mallinfo2 arena + hblkhd, in use = uordblks + hblkhd, both less the process's own at start; malloc_trim(0) as Trim";

        public (long Reserved, long InUse) Figures()
        {
            var now = Raw();
            return now.Reserved < 0 ? now : (now.Reserved - _baseline.Reserved, now.InUse - _baseline.InUse);
        }

        public void Trim() => GlibcHeap.Trim();

        private static (long Reserved, long InUse) Raw() =>
            GlibcHeap.Info() is { } info
                ? ((long)(info.Arena + info.Hblkhd), (long)(info.Uordblks + info.Hblkhd))
                : (-1, -1);
    }

    /// <summary>mimalloc's committed bytes (mi_process_info) and mi_collect(true); it does not report bytes in use.</summary>
    private sealed class MimallocProbe : IAllocatorProbe
    {
        private readonly long _baseline = MimallocHeap.CommittedBytes();

        public string Notes => "reserved = mi_process_info current_commit less its value at start; in use = bytes requested (mimalloc's release build keeps no count); mi_collect(true) as Trim";

        public (long Reserved, long InUse) Figures() => (MimallocHeap.CommittedBytes() - _baseline, -1);

        public void Trim() => MimallocHeap.Collect();
    }

    /// <summary>The churn itself, compiled once per allocator.</summary>
    private sealed class Churn<TAllocator, THandle>(string name, TAllocator allocator, IAllocatorProbe probe, int live, int rounds)
        where TAllocator : struct, IBlockAllocator<THandle>
    {
        private const int Rehearsal = 20_000;

        private readonly THandle[] _slots = new THandle[live];
        private readonly int[] _order = RandomFrees.RandomPermutation(live, seed: 11);
        private readonly Random _random = new(13);

        public MemoryFigures Run()
        {
            // A small rehearsal first, so that the code is jitted and the allocator initialised before the
            // starting RSS is read.
            if (live > Rehearsal)
            {
                new Churn<TAllocator, THandle>(name, allocator, probe, Rehearsal, 2).Run();
            }

            // Fault the slot array in now: a fresh array is not yet resident, and it is the harness's, not the allocator's.
            for (var i = 0; i < _slots.Length; i++)
            {
                _slots[i] = default!;
            }

            Settle();
            var (rssStart, _) = ReadRss();

            for (var i = 0; i < live; i++)
            {
                _slots[i] = allocator.Alloc(i);
            }

            // Each round frees a random 10% of the live set, then allocates as many again into the same slots.
            var perRound = live / 10;
            for (var round = 0; round < rounds; round++)
            {
                var victims = PickRandom(perRound);
                foreach (var i in victims)
                {
                    allocator.Free(_slots[i]);
                }

                foreach (var i in victims)
                {
                    _slots[i] = allocator.Alloc(round);
                }
            }

            Settle();
            var (rssSteady, peakRss) = ReadRss();
            var (reserved, inUse) = probe.Figures();
            var requested = (long)live * BlockSize;

            var freed = PickRandom(live * 9 / 10);
            foreach (var i in freed)
            {
                allocator.Free(_slots[i]);
                _slots[i] = default!;
            }

            Settle();
            var (rssAfterFree90, _) = ReadRss();
            var (reservedAfterFree90, _) = probe.Figures();
            probe.Trim();
            Settle();
            var (rssAfterFree90Trim, _) = ReadRss();
            var (reservedAfterFree90Trim, _) = probe.Figures();

            foreach (var handle in _slots)
            {
                if (!EqualityComparer<THandle>.Default.Equals(handle, default))
                {
                    allocator.Free(handle);
                }
            }

            probe.Trim();
            Settle();
            var (rssEnd, _) = ReadRss();
            var (reservedEnd, _) = probe.Figures();

            // What is left that glibc holds: an allocator that takes its memory from malloc gives it back to glibc,
            // not to the OS, until glibc trims.
            GlibcHeap.Trim();
            var (rssEndAfterMallocTrim, _) = ReadRss();

            return new MemoryFigures(
                name,
                live, requested, rssStart, peakRss, rssSteady, reserved, inUse < 0 ? requested : inUse,
                rssAfterFree90, reservedAfterFree90, rssAfterFree90Trim, reservedAfterFree90Trim, rssEnd, reservedEnd, rssEndAfterMallocTrim, probe.Notes);
        }

        // Partial Fisher-Yates over a permutation of the slot numbers: the first count entries become a random distinct sample.
        private ReadOnlySpan<int> PickRandom(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var j = _random.Next(i, live);
                (_order[i], _order[j]) = (_order[j], _order[i]);
            }

            return _order.AsSpan(0, count);
        }
    }
}

/// <summary>One allocator's figures from the memory harness, in bytes (-1 where the allocator cannot say).</summary>
public sealed record MemoryFigures(
    string Allocator,
    int LiveBlocks,
    long RequestedBytes,
    long RssStart,
    long PeakRss,
    long RssSteady,
    long ReservedSteady,
    long InUseSteady,
    long RssAfterFree90,
    long ReservedAfterFree90,
    long RssAfterFree90Trim,
    long ReservedAfterFree90Trim,
    long RssEnd,
    long ReservedEnd,
    long RssEndAfterMallocTrim,
    string Notes);

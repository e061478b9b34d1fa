using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.Win32.SafeHandles;

namespace PooledGen.Benchmarks;

/// <summary>
/// The memory cases of issue 17, one per child process (<c>memory --child NAME --case CASE</c>), on 48-byte blocks:
/// <list type="bullet">
/// <item><c>bursts</c>: 10 cycles of allocating 1,000,000 blocks then freeing them all: time per block and minor
/// page faults per cycle, GC bytes allocated by the measuring thread across the cycles, and RSS every ~10 ms from a
/// sampler thread for the whole case and one idle second after it.</item>
/// <item><c>clustered-free</c>: allocate 1,000,000 blocks, free the oldest 90% in allocation order, stay idle.</item>
/// <item><c>idle</c>: allocate 1,000,000 blocks, free them all, stay idle.</item>
/// <item><c>random-free</c>: allocate 1,000,000 blocks, free a random 90%, stay idle.</item>
/// </list>
/// The idle cases read RSS right after the frees and at <see cref="IdleSeconds"/>, without any trim call: what an
/// allocator gives back on its own.
/// </summary>
internal static class MemoryCases
{
    /// <summary>The case names, in the order the harness runs them.</summary>
    public static readonly string[] All = ["bursts", "clustered-free", "idle", "random-free"];

    /// <summary>When the idle cases read RSS, in seconds after the last free.</summary>
    public static readonly double[] IdleSeconds = [0, 0.5, 1, 2, 3];

    /// <summary>Cycles of the burst case.</summary>
    public const int BurstCycles = 10;

    private const int BlockSize = 48;

    /// <summary>Runs one case for one allocator in this process and returns its figures.</summary>
    public static object Measure(string allocator, string @case)
    {
        var blocks = BenchmarkOptions.Quick ? 200_000 : 1_000_000;
        return allocator switch
        {
            "PooledGen" => new CaseRunner<PooledAllocator<S48>, Pooled<S48>>("PooledGen", default, blocks).Run(@case),
            "Glibc" => Native(NativePeer.Glibc, blocks, @case),
            "Mimalloc" => Native(NativePeer.Mimalloc, blocks, @case),
            _ => throw new ArgumentException($"Unknown allocator {allocator}."),
        };
    }

    private static object Native(NativePeer peer, int blocks, string @case) =>
        peer.IsAvailable
            ? new CaseRunner<NativeAllocator, nint>(peer.Name, peer.Blocks(BlockSize), blocks).Run(@case)
            : throw new InvalidOperationException(peer.Missing);

    /// <summary>The cases, compiled once per allocator so that its calls are inlined into the timed loops.</summary>
    private sealed class CaseRunner<TAllocator, THandle>(string name, TAllocator allocator, int blocks)
        where TAllocator : struct, IBlockAllocator<THandle>
    {
        private readonly THandle[] _slots = new THandle[blocks];

        public object Run(string @case)
        {
            // Jit the loops and initialise the allocator on a small set first, then fault the slot array in: neither
            // is the allocator's memory.
            Rehearse();
            Array.Fill(_slots, default!);
            return @case switch
            {
                "bursts" => Bursts(),
                "clustered-free" => Timeline(@case, Sequence(blocks * 9 / 10)),
                "idle" => Timeline(@case, Sequence(blocks)),
                "random-free" => Timeline(@case, RandomFrees.RandomPermutation(blocks, seed: 17).AsSpan(0, blocks * 9 / 10).ToArray()),
                _ => throw new ArgumentException($"Unknown case {@case}; the cases are {string.Join(", ", All)}."),
            };
        }

        private BurstFigures Bursts()
        {
            var nsPerBlock = new double[BurstCycles];
            var faults = new long[BurstCycles];
            var cycleEnds = new double[BurstCycles];
            MemoryHarness.Settle();
            var rssStart = RssSampler.Read();
            using var sampler = new RssSampler(TimeSpan.FromSeconds(BurstCycles * 2 + 10));

            // The first P/Invoke and clock calls allocate as they bind: done here, so that the cycles count only the allocator's.
            _ = MinorFaults() + Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp()).Ticks + sampler.Elapsed.Ticks;
            var gcBefore = GC.GetAllocatedBytesForCurrentThread();
            for (var cycle = 0; cycle < BurstCycles; cycle++)
            {
                var faultsBefore = MinorFaults();
                var start = Stopwatch.GetTimestamp();
                AllocateAll();
                FreeAll(_slots.Length);
                var elapsed = Stopwatch.GetElapsedTime(start);
                faults[cycle] = MinorFaults() - faultsBefore;
                nsPerBlock[cycle] = elapsed.TotalNanoseconds / blocks;
                cycleEnds[cycle] = sampler.Elapsed.TotalSeconds;
            }

            var gcBytes = GC.GetAllocatedBytesForCurrentThread() - gcBefore;
            Thread.Sleep(1000); // what the allocator gives back once the bursts stop
            var (seconds, rss) = sampler.Stop();
            return new BurstFigures(name, blocks, nsPerBlock, Median(nsPerBlock.AsSpan(1)), faults, Median(faults.AsSpan(1)), gcBytes,
                rssStart, cycleEnds, seconds, rss);
        }

        private IdleTimelineFigures Timeline(string @case, int[] freeOrder)
        {
            MemoryHarness.Settle();
            var rssStart = RssSampler.Read();
            AllocateAll();
            var rssFull = RssSampler.Read();
            foreach (var i in freeOrder)
            {
                allocator.Free(_slots[i]);
            }

            var freed = Stopwatch.GetTimestamp();
            var rss = new long[IdleSeconds.Length];
            for (var i = 0; i < IdleSeconds.Length; i++)
            {
                var wait = TimeSpan.FromSeconds(IdleSeconds[i]) - Stopwatch.GetElapsedTime(freed);
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait);
                }

                rss[i] = RssSampler.Read();
            }

            var freedBytes = (long)freeOrder.Length * BlockSize;
            var returnedAt2s = (double)(rssFull - rss[Array.IndexOf(IdleSeconds, 2.0)]) / freedBytes;
            return new IdleTimelineFigures(name, @case, blocks, freedBytes, rssStart, rssFull, IdleSeconds, rss, returnedAt2s);
        }

        private void Rehearse()
        {
            var count = Math.Min(20_000, _slots.Length);
            for (var i = 0; i < count; i++)
            {
                _slots[i] = allocator.Alloc(i);
            }

            FreeAll(count);
        }

        private void AllocateAll()
        {
            for (var i = 0; i < _slots.Length; i++)
            {
                _slots[i] = allocator.Alloc(i);
            }
        }

        private void FreeAll(int count)
        {
            for (var i = 0; i < count; i++)
            {
                allocator.Free(_slots[i]);
            }
        }

        private static int[] Sequence(int count)
        {
            var order = new int[count];
            for (var i = 0; i < count; i++)
            {
                order[i] = i;
            }

            return order;
        }
    }

    private static double Median(ReadOnlySpan<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double Median(ReadOnlySpan<long> values)
    {
        var asDouble = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            asDouble[i] = values[i];
        }

        return Median(asDouble);
    }

    // getrusage(RUSAGE_SELF).ru_minflt: minor page faults of the whole process, i.e. pages touched for the first time.
    private static unsafe long MinorFaults()
    {
        RUsage usage;
        return getrusage(0, &usage) == 0 ? usage.MinorFaults : -1;
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern unsafe int getrusage(int who, RUsage* usage);

    // struct rusage on 64-bit Linux: two struct timeval, then 14 longs of which ru_minflt is the fifth.
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, SharedText, UnsharedData, UnsharedStack;
        public long MinorFaults, MajorFaults;
        public long Swaps, BlockInputs, BlockOutputs, MessagesSent, MessagesReceived, Signals, VoluntarySwitches, InvoluntarySwitches;
    }
}

/// <summary>
/// Samples this process's RSS every ~10 ms on a thread of its own, into arrays sized up front: reading
/// <c>/proc/self/statm</c> with <c>pread</c> into a reused buffer allocates nothing, so the sampler moves neither the
/// RSS nor the GC figures it sits beside.
/// </summary>
internal sealed class RssSampler : IDisposable
{
    private const int IntervalMs = 10;

    private static readonly long s_pageSize = Environment.SystemPageSize;

    private readonly double[] _seconds;
    private readonly long[] _rss;
    private readonly Thread _thread;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private volatile bool _stop;
    private int _count;

    /// <summary>Starts sampling; at most <paramref name="longest"/> worth of samples are kept.</summary>
    public RssSampler(TimeSpan longest)
    {
        var capacity = (int)(longest.TotalMilliseconds / IntervalMs) + 1;
        _seconds = new double[capacity];
        _rss = new long[capacity];
        _thread = new Thread(Sample) { IsBackground = true, Name = "RSS sampler", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Time since sampling started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>This process's resident set size now, in bytes (the second field of /proc/self/statm, in pages).</summary>
    public static long Read()
    {
        using var statm = File.OpenHandle("/proc/self/statm");
        Span<byte> buffer = stackalloc byte[128];
        return Parse(buffer[..RandomAccess.Read(statm, buffer, 0)]);
    }

    /// <summary>Stops sampling and returns the samples: seconds since the start, RSS in bytes.</summary>
    public (double[] Seconds, long[] Rss) Stop()
    {
        _stop = true;
        _thread.Join();
        return (_seconds[.._count], _rss[.._count]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    private void Sample()
    {
        using SafeFileHandle statm = File.OpenHandle("/proc/self/statm");
        var buffer = new byte[128];
        while (!_stop && _count < _rss.Length)
        {
            _seconds[_count] = _clock.Elapsed.TotalSeconds;
            _rss[_count] = Parse(buffer.AsSpan(0, RandomAccess.Read(statm, buffer, 0)));
            _count++;
            Thread.Sleep(IntervalMs);
        }
    }

    // "size resident shared text lib data dt", in pages.
    private static long Parse(ReadOnlySpan<byte> statm)
    {
        var i = statm.IndexOf((byte)' ') + 1;
        long pages = 0;
        for (; i < statm.Length && statm[i] is >= (byte)'0' and <= (byte)'9'; i++)
        {
            pages = pages * 10 + (statm[i] - '0');
        }

        return pages * s_pageSize;
    }
}

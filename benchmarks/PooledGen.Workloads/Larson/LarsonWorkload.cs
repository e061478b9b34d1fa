using System;
using System.Diagnostics;
using System.Threading;
using PooledGen.Benchmarks.Shared;

namespace PooledGen.Workloads.Larson;

/// <summary>The larson parameters (mimalloc-bench runs <c>larson 5 8 1000 5000 100 4141 N</c>; sizes here 16–512).</summary>
/// <param name="Seconds">Wall time of the timed phase.</param>
/// <param name="Threads">Lanes run at once; each lane is one thread at a time.</param>
/// <param name="Slots">Blocks per lane.</param>
/// <param name="StepsPerThread">Steps a thread takes before it hands its lane to a new thread (rounds × slots).</param>
/// <param name="MinSize">Smallest block, in bytes.</param>
/// <param name="MaxSize">Largest block, in bytes (inclusive).</param>
/// <param name="Seed">Seed of every lane's generator.</param>
internal sealed record LarsonSettings(double Seconds, int Threads, int Slots, int StepsPerThread, int MinSize, int MaxSize, int Seed);

/// <summary>What one larson process measured, in its own process so that the RSS figures are its allocator's.</summary>
internal sealed record LarsonFigures(
    string Variant,
    double Seconds,
    long Pairs,
    long ThreadsRun,
    long RssStart,
    long PeakRss,
    long RssEnd,
    long LiveRequestedBytes,
    long PooledBytesInUse,
    long AllocatorHeldBytes,
    long AllocatorHeldAfterIdleBytes,
    long RssAfterIdle,
    long GcBytesInLoops,
    long GcBytesInRun,
    int Collections)
{
    public double MopsPerSecond => Pairs / Seconds / 1e6;
}

/// <summary>
/// The larson server simulation (Paul Larson's test driver as mimalloc-bench runs it), our own port: each lane holds
/// <c>Slots</c> blocks; each step frees a random slot's block and allocates a block of random size into it; after
/// <c>StepsPerThread</c> steps the thread starts a NEW thread that continues the lane and exits, so blocks are freed
/// by threads that did not allocate them. The initial blocks are allocated, shuffled and churned on the main thread
/// first, as larson's warm-up does. The timed phase lasts <c>Seconds</c> of wall time.
/// </summary>
internal static unsafe class LarsonWorkload
{
    /// <summary>How long the process idles after the run before what the allocator holds is read a second time: long enough
    /// for PooledGen's default purge delay (1 s) and mimalloc's own delayed purge to have run.</summary>
    public static readonly TimeSpan IdleAfterRun = TimeSpan.FromSeconds(2);

    public static LarsonFigures Run<TAllocator>(string variant, LarsonSettings settings, Func<long> heldBytes)
        where TAllocator : IUntypedAllocator<TAllocator>, allows ref struct
    {
        var heldAtStart = heldBytes(); // first, so that a native peer's library is loaded before RSS is read
        var rssStart = ProcessMemory.Read().Rss;
        var chunks = settings.Threads * settings.Slots;
        var blocks = new nint[chunks];
        var sizes = new int[chunks];
        var random = new Xorshift((ulong)settings.Seed);
        WarmUp<TAllocator>(blocks, sizes, settings, ref random);

        // The warm-up thread hands every block to the lanes and allocates no more: like each larson thread at its end, it
        // gives its part of the heap back now. Otherwise the pools its blocks are in stay its own, and the lanes' frees
        // of those blocks wait on the pools' thread-free lists for an owner that never allocates again (about 4 MiB held
        // for the whole run; nothing to do for the native peers).
        PooledHeap.DetachCurrentThread();

        var run = new LarsonRun(settings);
        var lanes = new Lane<TAllocator>[settings.Threads];
        for (var i = 0; i < lanes.Length; i++)
        {
            lanes[i] = new Lane<TAllocator>(run, blocks.AsMemory(i * settings.Slots, settings.Slots), sizes.AsMemory(i * settings.Slots, settings.Slots), random.Next());
        }

        var gcBytes = GC.GetTotalAllocatedBytes(precise: true);
        var collections = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        foreach (var lane in lanes)
        {
            lane.Start();
        }

        Thread.Sleep(TimeSpan.FromSeconds(settings.Seconds));
        Volatile.Write(ref run.Stop, 1);
        foreach (var lane in lanes)
        {
            while (Volatile.Read(ref lane.Finished) == 0)
            {
                Thread.Sleep(1);
            }
        }

        clock.Stop();
        var gcBytesInRun = GC.GetTotalAllocatedBytes(precise: true) - gcBytes;
        collections = GC.CollectionCount(0) - collections;

        var memory = ProcessMemory.Read();
        long pairs = 0, threadsRun = 0, gcBytesInLoops = 0, live = 0;
        foreach (var lane in lanes)
        {
            pairs += lane.Pairs;
            threadsRun += lane.ThreadsRun;
            gcBytesInLoops += lane.GcBytesInLoops;
        }

        foreach (var size in sizes)
        {
            live += size;
        }

        var pooledInUse = variant.StartsWith("pooled", StringComparison.Ordinal) ? PooledHeap.GetStatistics().BytesInUse : -1;
        var heldAtEnd = heldBytes() is var held and >= 0 ? held - heldAtStart : -1;

        // The same reading after an idle spell: the live blocks stay, what an allocator keeps on a timer goes.
        Thread.Sleep(IdleAfterRun);
        var heldAfterIdle = heldBytes() is var later and >= 0 ? later - heldAtStart : -1;
        var rssAfterIdle = ProcessMemory.Read().Rss;
        return new LarsonFigures(variant, clock.Elapsed.TotalSeconds, pairs, threadsRun, rssStart, memory.PeakRss, memory.Rss, live,
            pooledInUse, heldAtEnd, heldAfterIdle, rssAfterIdle, gcBytesInLoops, gcBytesInRun, collections);
    }

    // larson's warmup(): allocate every block, shuffle them, then replace 4 × chunks random ones, on the main thread.
    private static void WarmUp<TAllocator>(nint[] blocks, int[] sizes, LarsonSettings settings, ref Xorshift random)
        where TAllocator : IUntypedAllocator<TAllocator>, allows ref struct
    {
        var allocator = TAllocator.OnThisThread();
        var range = (uint)(settings.MaxSize - settings.MinSize + 1);
        for (var i = 0; i < blocks.Length; i++)
        {
            sizes[i] = settings.MinSize + (int)random.NextBelow(range);
            blocks[i] = (nint)allocator.Allocate((nuint)sizes[i]);
        }

        for (var i = blocks.Length - 1; i > 0; i--)
        {
            var j = (int)random.NextBelow((uint)i + 1);
            (blocks[i], blocks[j]) = (blocks[j], blocks[i]);
            (sizes[i], sizes[j]) = (sizes[j], sizes[i]);
        }

        for (var step = 0; step < 4 * blocks.Length; step++)
        {
            var victim = (int)random.NextBelow((uint)blocks.Length);
            allocator.Free((void*)blocks[victim]);
            sizes[victim] = settings.MinSize + (int)random.NextBelow(range);
            blocks[victim] = (nint)allocator.Allocate((nuint)sizes[victim]);
        }
    }
}

/// <summary>The flag every larson thread polls once per step.</summary>
internal sealed class LarsonRun(LarsonSettings settings)
{
    public readonly LarsonSettings Settings = settings;
    public int Stop;
}

/// <summary>
/// One of larson's thread_data: a lane of blocks and the generator that picks its victims and sizes. Only the thread
/// currently running the lane touches it; the next thread is started after the last write (Thread.Start orders it).
/// </summary>
internal sealed unsafe class Lane<TAllocator>(LarsonRun run, Memory<nint> blocks, Memory<int> sizes, ulong seed)
    where TAllocator : IUntypedAllocator<TAllocator>, allows ref struct
{
    private Xorshift _random = new(seed);

    public long Pairs;
    public long ThreadsRun;
    public long GcBytesInLoops;
    public int Finished;

    public void Start() => new Thread(Exercise) { IsBackground = true, Name = "larson" }.Start();

    private void Exercise()
    {
        if (Volatile.Read(ref run.Stop) != 0)
        {
            Volatile.Write(ref Finished, 1);
            return;
        }

        ThreadsRun++;
        var gcBytes = GC.GetAllocatedBytesForCurrentThread();
        Pairs += Steps();
        GcBytesInLoops += GC.GetAllocatedBytesForCurrentThread() - gcBytes;

        // The thread's last act on the heap, as a user's worker should end: its part of the heap goes back now, before
        // the next thread starts, so that thread adopts its pools rather than waiting for the GC to finalize this
        // thread's state (nothing to do for the native peers). Steps' LocalHeap is out of scope by now.
        PooledHeap.DetachCurrentThread();

        if (Volatile.Read(ref run.Stop) != 0)
        {
            Volatile.Write(ref Finished, 1);
        }
        else
        {
            Start();
        }
    }

    private int Steps()
    {
        var allocator = TAllocator.OnThisThread();
        var settings = run.Settings;
        var laneBlocks = blocks.Span;
        var laneSizes = sizes.Span;
        var random = _random;
        var slots = (uint)laneBlocks.Length;
        var range = (uint)(settings.MaxSize - settings.MinSize + 1);
        var step = 0;
        while (step < settings.StepsPerThread)
        {
            var victim = (int)random.NextBelow(slots);
            allocator.Free((void*)laneBlocks[victim], (nuint)laneSizes[victim]);
            var size = settings.MinSize + (int)random.NextBelow(range);
            var block = (byte*)allocator.Allocate((nuint)size);
            laneBlocks[victim] = (nint)block;
            laneSizes[victim] = size;
            // As larson: write the block (so every allocator pays for touching it).
            block[0] = (byte)'a';
            block[1] = (byte)'b';
            step++;
            if (Volatile.Read(ref run.Stop) != 0)
            {
                break;
            }
        }

        _random = random;
        return step;
    }
}

using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace PooledGen.Workloads.Speed;

/// <summary>The single-thread allocation patterns of the speed harness.</summary>
internal enum Pattern
{
    /// <summary>Allocate 1,024 blocks, then free them all in allocation order.</summary>
    Batch,

    /// <summary>Allocate a block and free it at once, 1,024 times.</summary>
    Lifo,

    /// <summary>Over a live set, free 1,024 live blocks picked at random, then allocate 1,024 in their places.</summary>
    Random,
}

/// <summary>What the speed harness needs to know to measure one row.</summary>
/// <param name="Runs">Timed runs; the table shows their median and range.</param>
/// <param name="WarmupMilliseconds">Untimed work before the runs, so that the JIT has tiered the loops up.</param>
/// <param name="PairsPerRun">Alloc+free pairs in one timed run.</param>
/// <param name="LiveSet">Blocks kept alive by the random pattern.</param>
/// <param name="HandoffBlocks">Blocks handed over in one timed run of the hand-off.</param>
/// <param name="Seed">Seed of the random pattern's victim order.</param>
internal sealed record SpeedSettings(int Runs, int WarmupMilliseconds, int PairsPerRun, int LiveSet, int HandoffBlocks, ulong Seed)
{
    /// <summary>Blocks per batch, in every pattern.</summary>
    public const int BatchSize = 1024;
}

/// <summary>One row's timed runs: nanoseconds per alloc+free pair, and GC bytes per pair over all of them.</summary>
internal sealed record RowSamples(double[] NanosecondsPerPair, double GcBytesPerPair);

/// <summary>A row made for one payload type, measured in any pattern.</summary>
internal interface IRowHarness
{
    RowSamples Measure(Pattern pattern, SpeedSettings settings);
}

/// <summary>
/// Runs the patterns with one allocator. Each pattern is a generic method over the allocator struct, so its loop is
/// compiled with the allocator's calls inlined. The random pattern's victims are a precomputed permutation of the
/// live set, so the random number generator is not timed.
/// </summary>
internal sealed class RowHarness<TAllocator, THandle> : IRowHarness
    where TAllocator : IBlockAllocator<TAllocator, THandle>, allows ref struct
{
    private const int BatchSize = SpeedSettings.BatchSize;
    private const int WarmupBatches = 16;
    private const int MinWarmupCalls = 64;

    public RowSamples Measure(Pattern pattern, SpeedSettings settings)
    {
        var random = pattern == Pattern.Random;
        var slots = new THandle[random ? settings.LiveSet : BatchSize];
        var victims = random ? VictimOrder(settings.LiveSet, settings.Seed) : [];
        var cursor = 0;
        if (random)
        {
            FillLiveSet(slots);
        }

        try
        {
            var warmupEnd = Stopwatch.GetTimestamp() + settings.WarmupMilliseconds * Stopwatch.Frequency / 1000;
            for (var calls = 0; calls < MinWarmupCalls || Stopwatch.GetTimestamp() < warmupEnd; calls++)
            {
                Run(pattern, slots, victims, ref cursor, WarmupBatches);
            }

            var batches = Math.Max(1, settings.PairsPerRun / BatchSize);
            var samples = new double[settings.Runs];
            var gcBefore = GC.GetAllocatedBytesForCurrentThread();
            for (var run = 0; run < samples.Length; run++)
            {
                var ticks = Run(pattern, slots, victims, ref cursor, batches);
                samples[run] = ticks * 1e9 / Stopwatch.Frequency / ((double)batches * BatchSize);
            }

            var gcBytes = GC.GetAllocatedBytesForCurrentThread() - gcBefore;
            return new RowSamples(samples, gcBytes / ((double)samples.Length * batches * BatchSize));
        }
        finally
        {
            if (random)
            {
                FreeAll(slots);
            }
        }
    }

    // One timed run: the allocator is taken on this thread, outside the timing.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Run(Pattern pattern, THandle[] slots, int[] victims, ref int cursor, int batches)
    {
        var allocator = TAllocator.OnThisThread();
        var start = Stopwatch.GetTimestamp();
        switch (pattern)
        {
            case Pattern.Batch:
                for (var b = 0; b < batches; b++)
                {
                    Batch(allocator, slots);
                }

                break;
            case Pattern.Lifo:
                for (var b = 0; b < batches; b++)
                {
                    Lifo(allocator, slots);
                }

                break;
            default:
                for (var b = 0; b < batches; b++)
                {
                    cursor = RandomFrees(allocator, slots, victims, cursor);
                }

                break;
        }

        return Stopwatch.GetTimestamp() - start;
    }

    private static void Batch(TAllocator allocator, THandle[] slots)
    {
        for (var i = 0; i < BatchSize; i++)
        {
            slots[i] = allocator.Alloc(i);
        }

        for (var i = 0; i < BatchSize; i++)
        {
            allocator.Free(slots[i]);
            slots[i] = default!;
        }
    }

    // The handle is stored once per pair so that `new` cannot be turned into a stack allocation by escape analysis.
    private static void Lifo(TAllocator allocator, THandle[] last)
    {
        for (var i = 0; i < BatchSize; i++)
        {
            var handle = allocator.Alloc(i);
            last[0] = handle;
            allocator.Free(handle);
        }

        last[0] = default!;
    }

    // Frees the live blocks named by victims[cursor..cursor+1024), then allocates into the same slots.
    private static int RandomFrees(TAllocator allocator, THandle[] slots, int[] victims, int cursor)
    {
        var window = victims.AsSpan(cursor, BatchSize);
        foreach (var i in window)
        {
            allocator.Free(slots[i]);
        }

        for (var j = 0; j < window.Length; j++)
        {
            slots[window[j]] = allocator.Alloc(j);
        }

        cursor += BatchSize;
        return cursor >= slots.Length ? cursor - slots.Length : cursor;
    }

    private static void FillLiveSet(THandle[] slots)
    {
        var allocator = TAllocator.OnThisThread();
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = allocator.Alloc(i);
        }
    }

    private static void FreeAll(THandle[] slots)
    {
        var allocator = TAllocator.OnThisThread();
        foreach (var handle in slots)
        {
            allocator.Free(handle);
        }
    }

    // A random permutation of the live set, followed by its first 1,024 entries again, so that every window of
    // 1,024 starting below liveSet names distinct slots and needs no modulo.
    private static int[] VictimOrder(int liveSet, ulong seed)
    {
        var permutation = new int[liveSet];
        for (var i = 0; i < liveSet; i++)
        {
            permutation[i] = i;
        }

        new Xorshift(seed).Shuffle(permutation);
        var order = new int[liveSet + BatchSize];
        permutation.CopyTo(order, 0);
        Array.Copy(permutation, 0, order, liveSet, BatchSize);
        return order;
    }
}

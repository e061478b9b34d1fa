using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PooledGen.Workloads.Speed;

/// <summary>One hand-off row's runs: nanoseconds per block, freed on the allocating thread and on another thread.</summary>
internal sealed record HandoffSamples(double[] SameThread, double[] CrossThread);

/// <summary>A hand-off row, ready to measure.</summary>
internal interface IHandoffHarness
{
    HandoffSamples Measure(SpeedSettings settings);
}

/// <summary>
/// The cross-thread hand-off: this thread allocates 32-byte blocks and passes them through a single-producer
/// single-consumer ring, published in batches of 32, to a consumer thread that frees them; a run ends when the
/// consumer has freed the last block. The reference does the same hand-over on one thread (push 256, then pop and
/// free them), so the difference is what a free from another thread costs, not the ring.
/// </summary>
internal sealed class Handoff<TAllocator, THandle> : IHandoffHarness
    where TAllocator : IBlockAllocator<TAllocator, THandle>, allows ref struct
    where THandle : unmanaged
{
    private const int SameThreadChunk = 256;
    private const int WarmupBlocks = 16_384;

    public HandoffSamples Measure(SpeedSettings settings)
    {
        using var ring = new HandoffRing<THandle>();
        var same = Time(settings, blocks => SameThread(ring, blocks));

        var stop = 0;
        var consumer = new Thread(() => Consume(ring, ref stop)) { IsBackground = true, Name = "handoff consumer" };
        consumer.Start();
        try
        {
            var cross = Time(settings, blocks => CrossThread(ring, blocks));
            return new HandoffSamples(same, cross);
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            consumer.Join();
        }
    }

    private static double[] Time(SpeedSettings settings, Func<int, long> run)
    {
        var warmupEnd = Stopwatch.GetTimestamp() + settings.WarmupMilliseconds * Stopwatch.Frequency / 1000;
        for (var calls = 0; calls < 64 || Stopwatch.GetTimestamp() < warmupEnd; calls++)
        {
            run(WarmupBlocks);
        }

        var samples = new double[settings.Runs];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = run(settings.HandoffBlocks) * 1e9 / Stopwatch.Frequency / settings.HandoffBlocks;
        }

        return samples;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long SameThread(HandoffRing<THandle> ring, int blocks)
    {
        var allocator = TAllocator.OnThisThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < blocks; i += SameThreadChunk)
        {
            for (var j = 0; j < SameThreadChunk; j++)
            {
                ring.Push(allocator.Alloc(i + j));
            }

            ring.Publish();
            ring.Drain(allocator);
        }

        return Stopwatch.GetTimestamp() - start;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long CrossThread(HandoffRing<THandle> ring, int blocks)
    {
        var allocator = TAllocator.OnThisThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < blocks; i++)
        {
            ring.Push(allocator.Alloc(i));
        }

        ring.WaitUntilDrained();
        return Stopwatch.GetTimestamp() - start;
    }

    private static void Consume(HandoffRing<THandle> ring, ref int stop)
    {
        var allocator = TAllocator.OnThisThread();
        var spinner = default(SpinWait);
        while (Volatile.Read(ref stop) == 0)
        {
            if (ring.Drain(allocator) > 0)
            {
                spinner.Reset();
            }
            else
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        // As a user's worker thread should end: hand its part of the heap back now, not when the GC finalizes it
        // (nothing to do for the native peers, whose threads never touched PooledGen).
        PooledHeap.DetachCurrentThread();
    }
}

/// <summary>
/// A bounded single-producer single-consumer ring in native memory. The producer publishes its tail every
/// <see cref="PublishEvery"/> entries and the consumer frees everything published before it moves its head once, so
/// the two cores exchange a cache line per batch, not per block: the figures are the allocator's, not the queue's.
/// </summary>
internal sealed unsafe class HandoffRing<T> : IDisposable where T : unmanaged
{
    private const int Capacity = 1024;
    private const int PublishEvery = 32;

    private readonly T* _entries = (T*)NativeMemory.AlignedAlloc(Capacity * (nuint)sizeof(T), 64);
    private readonly CacheLine* _lines = (CacheLine*)NativeMemory.AlignedAlloc(3 * (nuint)sizeof(CacheLine), 64);

    public HandoffRing() => new Span<CacheLine>(_lines, 3).Clear();

    // Each counter alone on its line: the producer's own, the tail it published, the consumer's head.
    private ref long Written => ref _lines[0].Value;

    private ref long HeadSeen => ref _lines[0].Other;

    private ref long Published => ref _lines[1].Value;

    private ref long Head => ref _lines[2].Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(T item)
    {
        var tail = Written;
        if (tail - HeadSeen == Capacity)
        {
            WaitForRoom(tail);
        }

        _entries[tail & (Capacity - 1)] = item;
        Written = ++tail;
        if ((tail & (PublishEvery - 1)) == 0)
        {
            Volatile.Write(ref Published, tail);
        }
    }

    public void Publish() => Volatile.Write(ref Published, Written);

    /// <summary>Frees every published entry on the calling thread; returns how many.</summary>
    public int Drain<TAllocator>(TAllocator allocator)
        where TAllocator : IBlockAllocator<TAllocator, T>, allows ref struct
    {
        var head = Head;
        var tail = Volatile.Read(ref Published);
        for (var i = head; i < tail; i++)
        {
            allocator.Free(_entries[i & (Capacity - 1)]);
        }

        Volatile.Write(ref Head, tail);
        return (int)(tail - head);
    }

    public void WaitUntilDrained()
    {
        Publish();
        var spinner = default(SpinWait);
        while (Volatile.Read(ref Head) != Written)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        HeadSeen = Written;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_entries);
        NativeMemory.AlignedFree(_lines);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WaitForRoom(long tail)
    {
        Publish();
        var spinner = default(SpinWait);
        while (tail - (HeadSeen = Volatile.Read(ref Head)) == Capacity)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}

/// <summary>A counter (and its owner's second word) alone on a cache line. Not nested in the generic ring: the runtime
/// refuses explicit layout on a type nested in a generic one.</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct CacheLine
{
    [FieldOffset(0)]
    public long Value;

    [FieldOffset(8)]
    public long Other;
}

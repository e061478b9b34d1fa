using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using BenchmarkDotNet.Attributes;

namespace PooledGen.Benchmarks;

/// <summary>
/// Producer/consumer: this thread allocates 32-byte blocks and hands them through a single-producer single-consumer
/// ring to a consumer thread that frees them (cross-thread), against the same hand-over done on one thread
/// (same-thread: push 256, pop and free 256). The figures are per block and include waiting for the consumer to
/// free the last one. pymalloc is left out: it needs the GIL on every thread that calls it.
/// </summary>
[BenchmarkCategory("CrossThread")]
public class CrossThread
{
    /// <summary>Blocks per benchmark call.</summary>
    public const int Operations = 16_384;

    private const int SameThreadChunk = 256;

    private object? _ring;
    private Thread? _consumer;
    private volatile bool _stop;

    /// <summary>PooledGen, allocated and freed on this thread.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void PooledGenSameThread() => SameThread<PooledAllocator<S32>, Pooled<S32>>(default);

    /// <summary>PooledGen, freed by the consumer thread.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void PooledGenCrossThread() => ProducerConsumer<PooledAllocator<S32>, Pooled<S32>>(default);

    /// <summary>mimalloc on this thread.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void MimallocSameThread() => SameThread<NativeAllocator, nint>(NativePeer.Mimalloc.Blocks(32));

    /// <summary>mimalloc freed by the consumer thread.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void MimallocCrossThread() => ProducerConsumer<NativeAllocator, nint>(NativePeer.Mimalloc.Blocks(32));

    /// <summary>glibc on this thread.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void GlibcSameThread() => SameThread<NativeAllocator, nint>(NativePeer.Glibc.Blocks(32));

    /// <summary>glibc freed by the consumer thread.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void GlibcCrossThread() => ProducerConsumer<NativeAllocator, nint>(NativePeer.Glibc.Blocks(32));

    /// <summary>Stops the consumer thread.</summary>
    [GlobalCleanup]
    public void StopConsumer()
    {
        _stop = true;
        _consumer?.Join();
        _consumer = null;
        (_ring as System.IDisposable)?.Dispose();
        _ring = null;
    }

    private void SameThread<TAllocator, THandle>(TAllocator allocator)
        where TAllocator : struct, IBlockAllocator<THandle>
        where THandle : unmanaged
    {
        var ring = (SpscRing<THandle>)(_ring ??= new SpscRing<THandle>());
        for (var i = 0; i < Operations; i += SameThreadChunk)
        {
            for (var j = 0; j < SameThreadChunk; j++)
            {
                ring.Enqueue(allocator.Alloc(i + j));
            }

            ring.Publish();
            ring.Drain(allocator);
        }
    }

    private void ProducerConsumer<TAllocator, THandle>(TAllocator allocator)
        where TAllocator : struct, IBlockAllocator<THandle>
        where THandle : unmanaged
    {
        if (_ring is not SpscRing<THandle> ring)
        {
            ring = new SpscRing<THandle>();
            _ring = ring;
            _consumer = new Thread(() => Consume(allocator, ring)) { IsBackground = true, Name = "consumer" };
            _consumer.Start();
        }

        for (var i = 0; i < Operations; i++)
        {
            ring.Enqueue(allocator.Alloc(i));
        }

        ring.WaitUntilEmpty();
    }

    private void Consume<TAllocator, THandle>(TAllocator allocator, SpscRing<THandle> ring)
        where TAllocator : struct, IBlockAllocator<THandle>
        where THandle : unmanaged
    {
        var spinner = default(SpinWait);
        while (!_stop)
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
    }
}

/// <summary>
/// A bounded single-producer single-consumer ring in native memory. The producer publishes its tail every
/// <see cref="PublishEvery"/> entries and the consumer frees everything published before it moves the head once,
/// so the two cores exchange a cache line per batch rather than per block: the figures are the allocator's, not
/// the queue's. An empty ring means every handed-over block has been freed.
/// </summary>
/// <typeparam name="T">The entry.</typeparam>
internal sealed unsafe class SpscRing<T> : System.IDisposable where T : unmanaged
{
    private const int Capacity = 1024;
    private const int Mask = Capacity - 1;
    private const int PublishEvery = 32;

    private readonly T* _entries = (T*)NativeMemory.AlignedAlloc((nuint)(Capacity * sizeof(T)), 64);
    private PaddedCounter _head; // next entry to free; written by the consumer
    private PaddedCounter _tail; // entries published; written by the producer
    private PaddedCounter _producer; // Value: the producer's own tail, Cached: the head it last read

    public void Enqueue(T item)
    {
        var tail = _producer.Value;
        if (tail - _producer.Cached == Capacity)
        {
            WaitForRoom(tail);
        }

        _entries[tail & Mask] = item;
        _producer.Value = ++tail;
        if ((tail & (PublishEvery - 1)) == 0)
        {
            Volatile.Write(ref _tail.Value, tail);
        }
    }

    public void Publish() => Volatile.Write(ref _tail.Value, _producer.Value);

    /// <summary>Frees every published entry with <paramref name="allocator"/>; returns how many.</summary>
    public int Drain<TAllocator>(TAllocator allocator) where TAllocator : struct, IBlockAllocator<T>
    {
        var head = _head.Value;
        var tail = Volatile.Read(ref _tail.Value);
        for (var i = head; i < tail; i++)
        {
            allocator.Free(_entries[i & Mask]);
        }

        Volatile.Write(ref _head.Value, tail);
        return (int)(tail - head);
    }

    public void WaitUntilEmpty()
    {
        Publish();
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _head.Value) != _producer.Value)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        _producer.Cached = _producer.Value;
    }

    public void Dispose() => NativeMemory.AlignedFree(_entries);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WaitForRoom(long tail)
    {
        Publish();
        var spinner = default(SpinWait);
        while (tail - (_producer.Cached = Volatile.Read(ref _head.Value)) == Capacity)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}

/// <summary>Counters alone on their cache line, so that the ring's producer and consumer do not share one.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedCounter
{
    [FieldOffset(64)]
    public long Value;

    [FieldOffset(72)]
    public long Cached;
}

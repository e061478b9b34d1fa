using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace PooledGen.Benchmarks;

/// <summary>
/// The alloc/free suites of issue #7: each allocator at each size, in one pattern per derived class. Every method
/// does <see cref="Operations"/> alloc+free pairs per call, so BenchmarkDotNet's figures are per pair and the
/// Ratio column compares each peer with PooledGen at the same size in the same run.
/// </summary>
public abstract class PatternSuite
{
    /// <summary>Alloc+free pairs per benchmark call.</summary>
    public const int Operations = 1024;

    private object? _pool;

    /// <summary>The payload size in bytes.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>16, 32, 64, 256 and 512 bytes; only 32 in a quick run.</summary>
    public static IEnumerable<int> Sizes => BenchmarkOptions.Quick ? [32] : [16, 32, 64, 256, 512];

    /// <summary>PooledHeap.Alloc&lt;T&gt; / Free.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void PooledGen() => ForSize(new PooledGenRun());

    /// <summary>heap.Alloc&lt;T&gt; / heap.Free through the thread's LocalHeap, taken from PooledHeap.Local once per call.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void PooledGenLocal() => ForSize(new PooledGenLocalRun());

    /// <summary>An unsynchronised C# free list: the floor.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void FreeList() => ForSize(new FreeListRun());

    /// <summary>NativeMemory.Alloc / Free (glibc through the runtime).</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void NativeMemory() => Run<NativeMemoryAllocator, nint>(new((nuint)Size));

    /// <summary>glibc malloc / free called directly.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void Glibc() => Run<NativeAllocator, nint>(NativePeer.Glibc.Blocks((nuint)Size));

    /// <summary>mi_malloc / mi_free.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void Mimalloc() => Run<NativeAllocator, nint>(NativePeer.Mimalloc.Blocks((nuint)Size));

    /// <summary>mi_calloc / mi_free: zeroed, like PooledGen's Alloc&lt;T&gt;().</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void MimallocCalloc() => Run<NativeZeroedAllocator, nint>(NativePeer.Mimalloc.ZeroedBlocks((nuint)Size));

    /// <summary>PyObject_Malloc / PyObject_Free.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void Pymalloc() => Run<NativeAllocator, nint>(NativePeer.Pymalloc.Blocks((nuint)Size));

    /// <summary>new of the equivalent class; the GC's collections are part of the figure.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void ManagedNew() => ForSize(new ManagedNewRun());

    /// <summary>Microsoft.Extensions.ObjectPool of the equivalent class.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public void ObjectPool() => ForSize(new ObjectPoolRun());

    /// <summary>
    /// Runs <see cref="Operations"/> alloc+free pairs of the pattern with one allocator, which may be a <c>ref struct</c>
    /// bound to this call (a LocalHeap).
    /// </summary>
    protected abstract void Run<TAllocator, THandle>(TAllocator allocator)
        where TAllocator : struct, IBlockAllocator<THandle>, allows ref struct;

    // The typed allocators need the payload struct of the size: one switch picks it for all of them.
    private void ForSize<TRun>(TRun run) where TRun : struct, ISizedRun
    {
        switch (Size)
        {
            case 16: run.Run<S16>(this); break;
            case 32: run.Run<S32>(this); break;
            case 64: run.Run<S64>(this); break;
            case 256: run.Run<S256>(this); break;
            case 512: run.Run<S512>(this); break;
            default: throw new InvalidOperationException($"No payload struct of {Size} bytes.");
        }
    }

    // The pool keeps a whole batch, so that in steady state it never allocates.
    private Microsoft.Extensions.ObjectPool.ObjectPool<Box<T>> Pool<T>() where T : unmanaged =>
        (Microsoft.Extensions.ObjectPool.ObjectPool<Box<T>>)(_pool ??= ObjectPoolAllocator<T>.CreatePool(Operations));

    private interface ISizedRun
    {
        void Run<T>(PatternSuite suite) where T : unmanaged;
    }

    private readonly struct PooledGenRun : ISizedRun
    {
        public void Run<T>(PatternSuite suite) where T : unmanaged => suite.Run<PooledAllocator<T>, Pooled<T>>(default);
    }

    // The LocalHeap is taken here, once per benchmark call, and handed to the pattern as its allocator.
    private readonly struct PooledGenLocalRun : ISizedRun
    {
        public void Run<T>(PatternSuite suite) where T : unmanaged =>
            suite.Run<LocalHeapAllocator<T>, Pooled<T>>(new(PooledHeap.Local));
    }

    private readonly struct FreeListRun : ISizedRun
    {
        public void Run<T>(PatternSuite suite) where T : unmanaged => suite.Run<FreeListAllocator<T>, nint>(default);
    }

    private readonly struct ManagedNewRun : ISizedRun
    {
        public void Run<T>(PatternSuite suite) where T : unmanaged => suite.Run<ManagedNewAllocator<T>, Box<T>>(default);
    }

    private readonly struct ObjectPoolRun : ISizedRun
    {
        public void Run<T>(PatternSuite suite) where T : unmanaged =>
            suite.Run<ObjectPoolAllocator<T>, Box<T>>(new(suite.Pool<T>()));
    }
}

/// <summary>LIFO pairs: allocate one block, free it at once.</summary>
[BenchmarkCategory("Lifo")]
public class LifoPairs : PatternSuite
{
    private object? _last;

    /// <inheritdoc />
    protected override void Run<TAllocator, THandle>(TAllocator allocator)
    {
        // The handle is stored once per call so that managed `new` cannot be turned into a stack allocation.
        var last = (THandle[])(_last ??= new THandle[1]);
        for (var i = 0; i < Operations; i++)
        {
            var handle = allocator.Alloc(i);
            last[0] = handle;
            allocator.Free(handle);
        }

        last[0] = default!;
    }
}

/// <summary>Batches: allocate 1,024 blocks, then free them all in allocation order.</summary>
[BenchmarkCategory("Batch")]
public class Batch : PatternSuite
{
    private object? _slots;

    /// <inheritdoc />
    protected override void Run<TAllocator, THandle>(TAllocator allocator)
    {
        var slots = (THandle[])(_slots ??= new THandle[Operations]);
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = allocator.Alloc(i);
        }

        for (var i = 0; i < slots.Length; i++)
        {
            allocator.Free(slots[i]);
            slots[i] = default!;
        }
    }
}

/// <summary>
/// Random-order frees over a live set of 100,000 blocks: each call frees 1,024 live blocks picked at random
/// (distinct, from a fixed random permutation), then allocates 1,024 new ones into their places. The live set is
/// built on the first call, outside the measured iterations.
/// </summary>
[BenchmarkCategory("Random")]
public class RandomFrees : PatternSuite
{
    /// <summary>Blocks kept alive.</summary>
    public const int LiveSet = 100_000;

    private readonly int[] _order = RandomPermutation(LiveSet, seed: 7);
    private object? _slots;
    private Action? _freeAll;
    private int _cursor;

    /// <inheritdoc />
    protected override void Run<TAllocator, THandle>(TAllocator allocator)
    {
        var slots = _slots as THandle[] ?? FillLiveSet<TAllocator, THandle>(allocator);
        var order = _order;
        var start = _cursor;
        for (var j = 0; j < Operations; j++)
        {
            var i = order[(start + j) % LiveSet];
            allocator.Free(slots[i]);
            slots[i] = default!;
        }

        for (var j = 0; j < Operations; j++)
        {
            slots[order[(start + j) % LiveSet]] = allocator.Alloc(j);
        }

        _cursor = (start + Operations) % LiveSet;
    }

    /// <summary>Frees the live set.</summary>
    [GlobalCleanup]
    public void FreeLiveSet()
    {
        _freeAll?.Invoke();
        _freeAll = null;
        _slots = null;
    }

    internal static int[] RandomPermutation(int count, int seed)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        new Random(seed).Shuffle(order);
        return order;
    }

    private THandle[] FillLiveSet<TAllocator, THandle>(TAllocator allocator)
        where TAllocator : struct, IBlockAllocator<THandle>, allows ref struct
    {
        var slots = new THandle[LiveSet];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = allocator.Alloc(i);
        }

        _slots = slots;
        _freeAll = allocator.FreeLater(slots);
        return slots;
    }
}

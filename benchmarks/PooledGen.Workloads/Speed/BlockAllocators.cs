using System.Runtime.CompilerServices;
using PooledGen.Benchmarks.Shared;

namespace PooledGen.Workloads.Speed;

/// <summary>
/// One allocator as the speed patterns see it: hand out a block with a tag written into it, take a block back.
/// Implemented by structs so that each pattern is compiled once per allocator and payload with the calls inlined:
/// no interface dispatch in the timed loops. <see cref="OnThisThread"/> is called once per run on the thread that
/// runs it (and by the consumer thread of the hand-off), which is where an allocator bound to a thread gets its
/// heap; <c>allows ref struct</c> lets such an allocator be a ref struct holding a <c>LocalHeap</c>.
/// </summary>
/// <typeparam name="TSelf">The allocator itself.</typeparam>
/// <typeparam name="THandle">What it hands out: a <see cref="Pooled{T}"/>, a pointer or an object.</typeparam>
internal interface IBlockAllocator<TSelf, THandle> where TSelf : IBlockAllocator<TSelf, THandle>, allows ref struct
{
    /// <summary>The allocator as the calling thread uses it.</summary>
    static abstract TSelf OnThisThread();

    /// <summary>Allocates a block and writes <paramref name="tag"/> into its first field (the copy rows copy a whole value instead).</summary>
    THandle Alloc(long tag);

    /// <summary>Gives the block back.</summary>
    void Free(THandle handle);
}

/// <summary>PooledGen's generated <c>T.Alloc()</c> (zeroed) and <c>T.Free()</c>, the field written through <c>.Value</c>.</summary>
internal readonly struct GeneratedAlloc<T> : IBlockAllocator<GeneratedAlloc<T>, Pooled<T>> where T : unmanaged, IPooled<T>
{
    public static GeneratedAlloc<T> OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Pooled<T> Alloc(long tag)
    {
        var handle = T.Alloc();
        Unsafe.As<T, long>(ref handle.Value) = tag; // the payload's First field
        return handle;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(Pooled<T> handle) => T.Free(handle);
}

/// <summary>PooledGen's generated <c>T.Alloc(in value)</c>: the block gets a copy of a whole value, not zeroes.</summary>
internal readonly struct GeneratedAllocCopy<T> : IBlockAllocator<GeneratedAllocCopy<T>, Pooled<T>> where T : unmanaged, IPooled<T>
{
    public static GeneratedAllocCopy<T> OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Pooled<T> Alloc(long tag) => T.Alloc(in Template<T>.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(Pooled<T> handle) => T.Free(handle);
}

/// <summary>
/// The generated members that take an explicit <see cref="LocalHeap"/>: <c>T.Alloc(heap)</c>, <c>T.Alloc(heap, in value)</c>
/// and <c>T.Free(heap, item)</c>. <see cref="IPooled{TSelf}"/> does not declare them, so generic code reaches them
/// through this interface, which the payload structs (Payloads.cs) declare and the generated members implement.
/// </summary>
/// <typeparam name="TSelf">The <c>[Pooled]</c> struct.</typeparam>
internal interface IPooledThroughLocalHeap<TSelf> where TSelf : unmanaged, IPooledThroughLocalHeap<TSelf>
{
    static abstract Pooled<TSelf> Alloc(LocalHeap heap);

    static abstract Pooled<TSelf> Alloc(LocalHeap heap, in TSelf value);

    static abstract void Free(LocalHeap heap, Pooled<TSelf> item);
}

/// <summary>
/// PooledGen's generated <c>T.Alloc(heap)</c> (zeroed) and <c>T.Free(heap, h)</c> through the thread's <see cref="LocalHeap"/>,
/// taken from <c>PooledHeap.Local</c> once per run on the thread that runs it (the hand-off's consumer takes its own).
/// </summary>
internal readonly ref struct LocalHeapAlloc<T> : IBlockAllocator<LocalHeapAlloc<T>, Pooled<T>>
    where T : unmanaged, IPooledThroughLocalHeap<T>
{
    private readonly LocalHeap _heap;

    private LocalHeapAlloc(LocalHeap heap) => _heap = heap;

    public static LocalHeapAlloc<T> OnThisThread() => new(PooledHeap.Local);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Pooled<T> Alloc(long tag)
    {
        var handle = T.Alloc(_heap);
        Unsafe.As<T, long>(ref handle.Value) = tag; // the payload's First field
        return handle;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(Pooled<T> handle) => T.Free(_heap, handle);
}

/// <summary>PooledGen's generated <c>T.Alloc(heap, in value)</c> and <c>T.Free(heap, h)</c>: a copy of a whole value, through the thread's <see cref="LocalHeap"/>.</summary>
internal readonly ref struct LocalHeapAllocCopy<T> : IBlockAllocator<LocalHeapAllocCopy<T>, Pooled<T>>
    where T : unmanaged, IPooledThroughLocalHeap<T>
{
    private readonly LocalHeap _heap;

    private LocalHeapAllocCopy(LocalHeap heap) => _heap = heap;

    public static LocalHeapAllocCopy<T> OnThisThread() => new(PooledHeap.Local);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Pooled<T> Alloc(long tag) => T.Alloc(_heap, in Template<T>.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(Pooled<T> handle) => T.Free(_heap, handle);
}

/// <summary>
/// <see cref="LocalHeap"/>'s C-style pair: <c>heap.AllocateUninitialized(size)</c> (not zeroed, as <c>malloc</c>) and
/// <c>heap.FreeUnchecked(p, size)</c> (C's <c>free_sized</c>), the tag written into the block: the like-for-like row of
/// <c>mi_malloc</c> / <c>mi_free</c>, which neither zero nor check.
/// </summary>
internal readonly unsafe ref struct LocalHeapUninitialized<T> : IBlockAllocator<LocalHeapUninitialized<T>, nint> where T : unmanaged
{
    private readonly LocalHeap _heap;

    private LocalHeapUninitialized(LocalHeap heap) => _heap = heap;

    public static LocalHeapUninitialized<T> OnThisThread() => new(PooledHeap.Local);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Alloc(long tag)
    {
        // A copy: an instance call on the field itself would make the JIT keep the whole allocator in memory.
        LocalHeap heap = _heap;
        var block = (long*)heap.AllocateUninitialized((nuint)sizeof(T));
        *block = tag;
        return (nint)block;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(nint handle)
    {
        LocalHeap heap = _heap;
        heap.FreeUnchecked((void*)handle, (nuint)sizeof(T));
    }
}

/// <summary>A native malloc/free pair on blocks of sizeof(T), the tag written into the block.</summary>
internal readonly unsafe struct NativeBlocks<TMalloc, T> : IBlockAllocator<NativeBlocks<TMalloc, T>, nint>
    where TMalloc : INativeMalloc
    where T : unmanaged
{
    public static NativeBlocks<TMalloc, T> OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Alloc(long tag)
    {
        var block = (long*)TMalloc.Allocate((nuint)sizeof(T));
        *block = tag;
        return (nint)block;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(nint handle) => TMalloc.Free((void*)handle);
}

/// <summary>malloc followed by a copy of a whole value: what <c>T.Alloc(in value)</c> does, the C way.</summary>
internal readonly unsafe struct NativeBlocksCopy<TMalloc, T> : IBlockAllocator<NativeBlocksCopy<TMalloc, T>, nint>
    where TMalloc : INativeMalloc
    where T : unmanaged
{
    public static NativeBlocksCopy<TMalloc, T> OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Alloc(long tag)
    {
        var block = (T*)TMalloc.Allocate((nuint)sizeof(T));
        *block = Template<T>.Value;
        return (nint)block;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(nint handle) => TMalloc.Free((void*)handle);
}

/// <summary>Managed <c>new</c> of the equivalent class; "free" drops the reference and the GC pays later, inside the timing.</summary>
internal readonly struct ManagedNew<T> : IBlockAllocator<ManagedNew<T>, Box<T>> where T : unmanaged
{
    public static ManagedNew<T> OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Box<T> Alloc(long tag)
    {
        var box = new Box<T>();
        Unsafe.As<T, long>(ref box.Value) = tag;
        return box;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(Box<T> handle)
    {
    }
}

/// <summary>
/// The floor: an unsynchronised singly linked free list over NativeMemory slabs (<see cref="UnsynchronisedFreeList{T}"/>):
/// what an allocator costs when it does nothing but pop and push.
/// </summary>
internal readonly unsafe struct FreeListFloor<T> : IBlockAllocator<FreeListFloor<T>, nint> where T : unmanaged
{
    public static FreeListFloor<T> OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Alloc(long tag)
    {
        var block = (long*)UnsynchronisedFreeList<T>.Pop();
        *block = tag;
        return (nint)block;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(nint handle) => UnsynchronisedFreeList<T>.Push((void*)handle);
}

using System.Runtime.CompilerServices;

namespace PooledGen.Workloads.Larson;

/// <summary>
/// An allocator of blocks of any size, as larson calls it: compiled into the loop once per allocator (a struct, no
/// interface dispatch). Each larson thread calls <see cref="OnThisThread"/> once, at the start of its steps, which is
/// where an allocator bound to a thread gets its heap; <c>allows ref struct</c> lets that be a ref struct holding a
/// <c>LocalHeap</c>.
/// </summary>
/// <typeparam name="TSelf">The allocator itself.</typeparam>
internal unsafe interface IUntypedAllocator<TSelf> where TSelf : IUntypedAllocator<TSelf>, allows ref struct
{
    static abstract TSelf OnThisThread();

    void* Allocate(nuint size);

    void Free(void* block);

    /// <summary>Frees a block whose size the caller knows (larson keeps each slot's size): most allocators ignore it.</summary>
    void Free(void* block, nuint size);
}

/// <summary>PooledGen's untyped entry points, <c>PooledHeap.Allocate(size)</c> (zeroed) and <c>PooledHeap.Free(pointer)</c>.</summary>
internal readonly unsafe struct PooledUntyped : IUntypedAllocator<PooledUntyped>
{
    public static PooledUntyped OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Allocate(nuint size) => PooledHeap.Allocate(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block) => PooledHeap.Free(block);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block, nuint size) => PooledHeap.Free(block);
}

/// <summary>
/// PooledGen's non-zeroing untyped entry point, <c>PooledHeap.AllocateUninitialized(size)</c> (C's malloc beside
/// <c>PooledHeap.Allocate</c>'s calloc), and <c>PooledHeap.Free(pointer)</c>.
/// </summary>
internal readonly unsafe struct PooledUntypedUninitialized : IUntypedAllocator<PooledUntypedUninitialized>
{
    public static PooledUntypedUninitialized OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Allocate(nuint size) => PooledHeap.AllocateUninitialized(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block) => PooledHeap.Free(block);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block, nuint size) => PooledHeap.Free(block);
}

/// <summary>
/// PooledGen through the thread's own <see cref="LocalHeap"/>, taken from <c>PooledHeap.Local</c> when a larson thread
/// starts: <c>heap.AllocateUninitialized(size)</c> (not zeroed) and <c>heap.Free(pointer)</c>. The blocks it frees that
/// an earlier thread allocated take the remote path.
/// </summary>
internal readonly unsafe ref struct LocalHeapUntyped : IUntypedAllocator<LocalHeapUntyped>
{
    private readonly LocalHeap _heap;

    private LocalHeapUntyped(LocalHeap heap) => _heap = heap;

    public static LocalHeapUntyped OnThisThread() => new(PooledHeap.Local);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Allocate(nuint size) => _heap.AllocateUninitialized(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block) => _heap.Free(block);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block, nuint size) => _heap.Free(block);
}

/// <summary>As <see cref="LocalHeapUntyped"/>, zeroing: <c>heap.Allocate(size)</c> (calloc) and <c>heap.Free(pointer)</c>.</summary>
internal readonly unsafe ref struct LocalHeapUntypedZeroed : IUntypedAllocator<LocalHeapUntypedZeroed>
{
    private readonly LocalHeap _heap;

    private LocalHeapUntypedZeroed(LocalHeap heap) => _heap = heap;

    public static LocalHeapUntypedZeroed OnThisThread() => new(PooledHeap.Local);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Allocate(nuint size) => _heap.Allocate(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block) => _heap.Free(block);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block, nuint size) => _heap.Free(block);
}

/// <summary>A native malloc/free pair.</summary>
internal readonly unsafe struct NativeUntyped<TMalloc> : IUntypedAllocator<NativeUntyped<TMalloc>> where TMalloc : INativeMalloc
{
    public static NativeUntyped<TMalloc> OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Allocate(nuint size) => TMalloc.Allocate(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block) => TMalloc.Free(block);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block, nuint size) => TMalloc.Free(block);
}

/// <summary>
/// PooledGen through the thread's own <see cref="LocalHeap"/> with the sized, trusting free:
/// <c>heap.AllocateUninitialized(size)</c> and <c>heap.FreeUnchecked(pointer, size)</c> (C's malloc and free_sized: no
/// check of the pointer, as mimalloc's and glibc's free make none).
/// </summary>
internal readonly unsafe ref struct LocalHeapUntypedSized : IUntypedAllocator<LocalHeapUntypedSized>
{
    private readonly LocalHeap _heap;

    private LocalHeapUntypedSized(LocalHeap heap) => _heap = heap;

    public static LocalHeapUntypedSized OnThisThread() => new(PooledHeap.Local);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Allocate(nuint size) => _heap.AllocateUninitialized(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block) => _heap.Free(block);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block, nuint size) => _heap.FreeUnchecked(block, size);
}

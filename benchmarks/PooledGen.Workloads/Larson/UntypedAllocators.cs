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
}

/// <summary>PooledGen's untyped entry points, <c>PooledHeap.Allocate(size)</c> (zeroed) and <c>PooledHeap.Free(pointer)</c>.</summary>
internal readonly unsafe struct PooledUntyped : IUntypedAllocator<PooledUntyped>
{
    public static PooledUntyped OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Allocate(nuint size) => PooledHeap.Allocate(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block) => PooledHeap.Free(block);
}

/// <summary>A native malloc/free pair.</summary>
internal readonly unsafe struct NativeUntyped<TMalloc> : IUntypedAllocator<NativeUntyped<TMalloc>> where TMalloc : INativeMalloc
{
    public static NativeUntyped<TMalloc> OnThisThread() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Allocate(nuint size) => TMalloc.Allocate(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* block) => TMalloc.Free(block);
}

// EXTENSION POINTS (issue #18), to add beside these and list in LarsonCommand.Variants:
// - a non-zeroing PooledGen variant: a struct like PooledUntyped whose Allocate calls the non-zeroing untyped entry
//   point (the malloc beside PooledHeap.Allocate's calloc);
// - a LocalHeap variant: a `ref struct LocalHeapUntyped : IUntypedAllocator<LocalHeapUntyped>` holding the LocalHeap
//   that OnThisThread() takes from PooledHeap.Local; Allocate/Free go through it. Each larson thread takes its own
//   heap when it starts; the blocks it frees that an earlier thread allocated take the remote path.

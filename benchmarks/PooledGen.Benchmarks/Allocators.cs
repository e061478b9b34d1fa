using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.ObjectPool;
using PooledGen.Benchmarks.Shared;

namespace PooledGen.Benchmarks;

/// <summary>
/// One allocator as the suites see it: hand out a block and write a tag into it, take a block back. Implemented by
/// structs so that each pattern is compiled once per allocator with the calls inlined (no interface dispatch in the
/// timed loops). Every allocator writes the tag, so every figure includes touching the block once.
/// </summary>
/// <typeparam name="THandle">What the allocator hands out: a <see cref="Pooled{T}"/>, a pointer or an object.</typeparam>
public interface IBlockAllocator<THandle>
{
    /// <summary>Allocates a block and writes <paramref name="tag"/> into its first 8 bytes.</summary>
    THandle Alloc(long tag);

    /// <summary>Gives the block back.</summary>
    void Free(THandle handle);

    /// <summary>
    /// What frees <paramref name="handles"/> later, from a cleanup that outlives this call (the random pattern's live set).
    /// By default a copy of this allocator; an allocator bound to its caller's stack (a <c>ref struct</c>) makes its
    /// own.
    /// </summary>
    Action FreeLater(THandle[] handles)
    {
        var self = this;
        return () =>
        {
            foreach (var handle in handles)
            {
                self.Free(handle);
            }
        };
    }
}

/// <summary>PooledGen's typed API, as generated code calls it.</summary>
public readonly unsafe struct PooledAllocator<T> : IBlockAllocator<Pooled<T>> where T : unmanaged
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Pooled<T> Alloc(long tag)
    {
        var handle = PooledHeap.Alloc<T>();
        *(long*)handle.Pointer = tag;
        return handle;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(Pooled<T> handle) => PooledHeap.Free(handle);
}

/// <summary>
/// PooledGen's typed API through the calling thread's <see cref="LocalHeap"/> (<c>heap.Alloc&lt;T&gt;()</c>, zeroed, and
/// <c>heap.Free(h)</c>, as the generated <c>T.Alloc(heap)</c> / <c>T.Free(heap, h)</c> call it), the heap taken from
/// <c>PooledHeap.Local</c> once per benchmark call and passed in.
/// </summary>
public readonly ref struct LocalHeapAllocator<T>(LocalHeap heap) : IBlockAllocator<Pooled<T>> where T : unmanaged
{
    private readonly LocalHeap _heap = heap;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe Pooled<T> Alloc(long tag)
    {
        var handle = _heap.Alloc<T>();
        *(long*)handle.Pointer = tag;
        return handle;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(Pooled<T> handle) => _heap.Free(handle);

    /// <inheritdoc />
    /// <remarks>A LocalHeap cannot outlive the call that took it: the cleanup takes its own thread's.</remarks>
    public Action FreeLater(Pooled<T>[] handles) => () =>
    {
        var heap = PooledHeap.Local;
        foreach (var handle in handles)
        {
            heap.Free(handle);
        }
    };
}

/// <summary>The floor: an unsynchronised free list over NativeMemory slabs (<see cref="UnsynchronisedFreeList{T}"/>), no zeroing.</summary>
public readonly unsafe struct FreeListAllocator<T> : IBlockAllocator<nint> where T : unmanaged
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Alloc(long tag)
    {
        var p = (long*)UnsynchronisedFreeList<T>.Pop();
        *p = tag;
        return (nint)p;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(nint handle) => UnsynchronisedFreeList<T>.Push((void*)handle);
}

/// <summary><see cref="NativeMemory.Alloc(nuint)"/>/<see cref="NativeMemory.Free"/>: glibc malloc through the runtime.</summary>
public readonly unsafe struct NativeMemoryAllocator(nuint size) : IBlockAllocator<nint>
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Alloc(long tag)
    {
        var p = (long*)NativeMemory.Alloc(size);
        *p = tag;
        return (nint)p;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(nint handle) => NativeMemory.Free((void*)handle);
}

/// <summary>Managed <c>new</c> of a class holding the same payload; "free" drops the reference and the GC pays later.</summary>
public readonly struct ManagedNewAllocator<T> : IBlockAllocator<Box<T>> where T : unmanaged
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Box<T> Alloc(long tag)
    {
        var box = new Box<T>();
        Unsafe.As<T, long>(ref box.Value) = tag;
        return box;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(Box<T> handle)
    {
    }
}

/// <summary>Microsoft.Extensions.ObjectPool's <see cref="DefaultObjectPool{T}"/> of the managed equivalent.</summary>
public readonly struct ObjectPoolAllocator<T>(ObjectPool<Box<T>> pool) : IBlockAllocator<Box<T>> where T : unmanaged
{
    /// <summary>A pool that keeps up to <paramref name="retained"/> objects, as the suites need.</summary>
    public static ObjectPool<Box<T>> CreatePool(int retained) =>
        new DefaultObjectPool<Box<T>>(new DefaultPooledObjectPolicy<Box<T>>(), retained);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Box<T> Alloc(long tag)
    {
        var box = pool.Get();
        Unsafe.As<T, long>(ref box.Value) = tag;
        return box;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(Box<T> handle) => pool.Return(handle);
}

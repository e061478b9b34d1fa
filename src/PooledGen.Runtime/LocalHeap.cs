using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PooledGen;

/// <summary>
/// The calling thread's part of a heap, held explicitly: <see cref="PooledHeap.Local"/> (or
/// <see cref="ArenaHeap.Local"/>) reads the thread's state once, and every <see cref="Alloc{T}()"/> and
/// <see cref="Free{T}(Pooled{T})"/> through it reads no thread-static at all (mimalloc's <c>mi_heap_malloc(heap, size)</c>).
/// Take one at the top of a loop or a frame and pass it down.
/// </summary>
/// <remarks>
/// <para>It is a <c>ref struct</c>, so the compiler keeps it on the thread that made it: it cannot be stored in a field
/// of a class, captured by a lambda, boxed, or carried across an <c>await</c>. Blocks allocated through it are ordinary
/// blocks: any thread may free them, through any entry point, and freeing another thread's block through it takes the
/// cross-thread path as <see cref="PooledHeap.Free{T}(Pooled{T})"/> would.</para>
/// <para>Generated code for <c>[Pooled]</c> structs gains <c>T.Alloc(LocalHeap)</c>, <c>T.Alloc(LocalHeap, in T)</c> and
/// <c>T.Free(LocalHeap, Pooled&lt;T&gt;)</c>. A <c>default(LocalHeap)</c> holds no heap: its members throw
/// <see cref="NullReferenceException"/>. After <c>DetachCurrentThread()</c> a LocalHeap taken before it must not be
/// used again: take a new one.</para>
/// </remarks>
/// <example>
/// <code>
/// LocalHeap heap = PooledHeap.Local;
/// for (int i = 0; i &lt; count; i++)
/// {
///     Pooled&lt;Particle&gt; p = Particle.Alloc(heap);
///     ...
///     Particle.Free(heap, p);
/// }
/// </code>
/// </example>
public readonly unsafe ref struct LocalHeap
{
    private readonly ThreadHeap* _threadHeap;

    internal LocalHeap(ThreadHeap* threadHeap) => _threadHeap = threadHeap;

    /// <summary>Allocates a zeroed <typeparamref name="T"/> from the calling thread's part of the heap.</summary>
    /// <typeparam name="T">The struct to allocate.</typeparam>
    /// <returns>A handle to the new struct, which holds <c>default(T)</c>.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the heap's cap, refused the memory.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Pooled<T> Alloc<T>() where T : unmanaged
    {
        if (DebugMode.Enabled || BlockLayout<T>.IsLarge)
        {
            return AllocSlow<T>(_threadHeap);
        }

        byte* block = ArenaHeap.TryAllocateSmall(_threadHeap, BlockLayout<T>.Class);
        if (block == null)
        {
            return AllocSlow<T>(_threadHeap);
        }

        *(T*)block = default;
        return new Pooled<T>((T*)block);
    }

    /// <summary>Allocates a <typeparamref name="T"/> holding a copy of <paramref name="value"/> from the calling thread's part of the heap.</summary>
    /// <typeparam name="T">The struct to allocate.</typeparam>
    /// <param name="value">The value to copy into the block.</param>
    /// <returns>A handle to the new struct.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the heap's cap, refused the memory.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Pooled<T> Alloc<T>(in T value) where T : unmanaged
    {
        if (DebugMode.Enabled || BlockLayout<T>.IsLarge)
        {
            return AllocSlow(_threadHeap, value);
        }

        byte* block = ArenaHeap.TryAllocateSmall(_threadHeap, BlockLayout<T>.Class);
        if (block == null)
        {
            return AllocSlow(_threadHeap, value);
        }

        *(T*)block = value;
        return new Pooled<T>((T*)block);
    }

    /// <summary>
    /// Frees the block behind <paramref name="item"/> (of any heap, allocated on any thread). Freeing
    /// <see cref="Pooled{T}.Null"/> does nothing. Free exactly one copy of a handle, once.
    /// </summary>
    /// <typeparam name="T">The struct in the block.</typeparam>
    /// <param name="item">The handle.</param>
    /// <exception cref="PoolCorruptionException">Debug mode: a guard byte around the block was overwritten; nothing was freed.</exception>
    /// <exception cref="ObjectDisposedException">
    /// Debug mode: the block was already freed (a double free, or a stale handle); or its heap was disposed. Nothing was freed.
    /// </exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free<T>(Pooled<T> item) where T : unmanaged
    {
        if (item.IsNull)
        {
            return;
        }

        if (DebugMode.Enabled)
        {
            ArenaHeap.FreeDebug(item.Pointer, item.Tag, typeof(T));
            return;
        }

        ArenaHeap.FreeBlock(_threadHeap, item.Pointer);
    }

    /// <summary>Allocates <paramref name="size"/> zeroed bytes, at least 16-byte aligned, from the calling thread's part of the heap.</summary>
    /// <param name="size">The number of bytes; 0 gives a unique 16-byte block.</param>
    /// <returns>The block; free it with <see cref="Free(void*)"/> (or any PooledGen untyped free).</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the heap's cap, refused the memory.</exception>
    public void* Allocate(nuint size)
    {
        void* block = AllocateUninitialized(size);
        NativeMemory.Clear(block, size);
        return block;
    }

    /// <summary>
    /// Allocates <paramref name="size"/> bytes whose contents are undefined (C's <c>malloc</c>, where
    /// <see cref="Allocate(nuint)"/> is <c>calloc</c>): for a caller that writes every byte before reading any.
    /// </summary>
    /// <param name="size">The number of bytes; 0 gives a unique 16-byte block.</param>
    /// <returns>The block; free it with <see cref="Free(void*)"/> (or any PooledGen untyped free).</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the heap's cap, refused the memory.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* AllocateUninitialized(nuint size)
    {
        if (!DebugMode.Enabled && size <= PooledHeap.SmallObjectThreshold)
        {
            byte* block = ArenaHeap.TryAllocateSmall(_threadHeap, size == 0 ? 0 : SizeClass.Of(size));
            if (block != null)
            {
                return block;
            }
        }

        return Heap(_threadHeap).AllocateUninitializedOn(_threadHeap, size);
    }

    /// <summary>Frees a block from any PooledGen untyped allocation. A null pointer is ignored.</summary>
    /// <param name="pointer">The block.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="pointer"/> was not handed out by PooledGen, or points inside a block rather than at its start;
    /// nothing is freed and the heap is unchanged.
    /// </exception>
    /// <exception cref="PoolCorruptionException">Debug mode: a guard byte around the block was overwritten; nothing was freed.</exception>
    /// <exception cref="ObjectDisposedException">Debug mode: the block was already freed; nothing was freed.</exception>
    public void Free(void* pointer)
    {
        if (DebugMode.Enabled)
        {
            ArenaHeap.FreeDebug(pointer, 0, null);
            return;
        }

        ArenaHeap.FreeUntyped(_threadHeap, pointer);
    }

    /// <summary>
    /// Frees a block of <paramref name="size"/> bytes from an untyped allocation of a release heap, trusting the
    /// pointer as C's <c>free_sized</c> does: no check that it is PooledGen's, the start of a block, or live. For the
    /// hottest untyped paths, where the caller knows each block's size (a server's request buffers); a wrong pointer or
    /// size corrupts the heap. <see cref="Free(void*)"/> checks every pointer and refuses a bad one. With the
    /// process-wide debug switch on, this checks as <see cref="Free(void*)"/> does.
    /// </summary>
    /// <param name="pointer">The block, from <c>Allocate</c> or <c>AllocateUninitialized</c> of a heap not in debug mode; null is ignored.</param>
    /// <param name="size">The size it was allocated with.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void FreeUnchecked(void* pointer, nuint size)
    {
        if (DebugMode.Enabled || size > PooledHeap.SmallObjectThreshold)
        {
            // The debug checks, or the large-object path, which looks its blocks up anyway.
            Free(pointer);
            return;
        }

        if (pointer != null && !ArenaHeap.TryFreeLocal(_threadHeap, (byte*)pointer))
        {
            ArenaHeap.FreeElsewhere(_threadHeap, (byte*)pointer, null);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Pooled<T> AllocSlow<T>(ThreadHeap* threadHeap) where T : unmanaged => Heap(threadHeap).AllocOn<T>(threadHeap);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Pooled<T> AllocSlow<T>(ThreadHeap* threadHeap, in T value) where T : unmanaged
    {
        Pooled<T> item = Heap(threadHeap).AllocOn<T>(threadHeap);
        *item.Pointer = value;
        return item;
    }

    // A thread heap's HeapId leads to its heap; a disposed heap is gone from the registry.
    private static ArenaHeap Heap(ThreadHeap* threadHeap) =>
        HeapRegistry.Get(threadHeap->HeapId) ?? throw new ObjectDisposedException(nameof(ArenaHeap), "PooledGen: the heap this LocalHeap belongs to was disposed.");
}

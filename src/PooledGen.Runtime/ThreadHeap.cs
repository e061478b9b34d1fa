using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PooledGen;

/// <summary>
/// One thread's part of an <see cref="ArenaHeap"/> (mimalloc's <c>mi_heap_t</c>): per size class, the pool it
/// allocates from and the lists of its other pools, plus its statistics counters. Only its thread reads or writes
/// it, except <see cref="RemoteFreeHint"/>; so the fast paths take no lock and write no shared cache line.
/// </summary>
/// <remarks>
/// It lives in native memory, so the fast path reaches it through one thread-static pointer and indexes it
/// without bounds checks. When its thread exits, a <see cref="ThreadHeapLease"/> finalizer hands its pools to the
/// heap (abandonment) and the struct is recycled for the next thread; its counters are kept, so statistics summed
/// over every thread heap ever created stay exact.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ThreadHeap
{
    /// <summary>Per class, the <see cref="Pool"/>* allocated from; <see cref="Pool"/> <c>EmptyPool</c> when none, so the fast path needs no null test.</summary>
    public fixed long CurrentPools[SizeClass.Count];

    /// <summary>Per class, blocks allocated minus blocks freed by this thread (either may be another thread's block).</summary>
    public fixed long BlocksInUse[SizeClass.Count];

    /// <summary>Per class, head of the list of owned pools that have free blocks.</summary>
    public fixed long PartialPools[SizeClass.Count];

    /// <summary>Per class, head of the list of owned pools with no free block (so remote frees into them can be found).</summary>
    public fixed long FullPools[SizeClass.Count];

    /// <summary>The owning <see cref="ArenaHeap"/>'s id.</summary>
    public int HeapId;

    /// <summary>Set by <see cref="ArenaHeap.Trim"/> on another thread: release empty pools at the next slow path.</summary>
    public volatile int TrimRequested;

    private fixed byte _padding[56];

    /// <summary>
    /// Per class, set by another thread after it freed into one of this heap's pools: the slow path then looks at
    /// the full pools too. Only a hint: a block is never lost if it is missed, it waits in its pool.
    /// Kept on cache lines of its own, the only ones other threads write.
    /// </summary>
    public fixed int RemoteFreeHint[SizeClass.Count];

    /// <summary>The owner of pools no thread owns (in their arena, or abandoned). Never a real thread's heap.</summary>
    public static readonly ThreadHeap* Detached = Create(0);

    /// <summary>The current pool of class <paramref name="sizeClass"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Pool* Current(ThreadHeap* heap, int sizeClass) => ref ((Pool**)heap->CurrentPools)[sizeClass];

    /// <summary>The head of the partial-pool list of class <paramref name="sizeClass"/>.</summary>
    public static ref Pool* Partial(ThreadHeap* heap, int sizeClass) => ref ((Pool**)heap->PartialPools)[sizeClass];

    /// <summary>The head of the full-pool list of class <paramref name="sizeClass"/>.</summary>
    public static ref Pool* Full(ThreadHeap* heap, int sizeClass) => ref ((Pool**)heap->FullPools)[sizeClass];

    /// <summary>Allocates a thread heap in native memory with no pools.</summary>
    public static ThreadHeap* Create(int heapId)
    {
        var heap = (ThreadHeap*)NativeMemory.AlignedAlloc((nuint)sizeof(ThreadHeap), 64);
        NativeMemory.Clear(heap, (nuint)sizeof(ThreadHeap));
        heap->HeapId = heapId;
        ResetPools(heap);
        return heap;
    }

    /// <summary>Forgets every pool (they have been handed back); counters are kept.</summary>
    public static void ResetPools(ThreadHeap* heap)
    {
        for (int c = 0; c < SizeClass.Count; c++)
        {
            Current(heap, c) = EmptyPool.Instance;
            Partial(heap, c) = null;
            Full(heap, c) = null;
            heap->RemoteFreeHint[c] = 0;
        }

        heap->TrimRequested = 0;
    }
}

/// <summary>
/// Ties a <see cref="ThreadHeap"/> to the life of its thread: it is referenced only from a thread-static field (or a
/// <see cref="System.Threading.ThreadLocal{T}"/>), so it becomes unreachable when the thread exits, and its finalizer
/// abandons the thread heap's pools to the heap, where other threads adopt them and frees drain them.
/// </summary>
internal sealed unsafe class ThreadHeapLease
{
    private readonly ArenaHeap _heap;

    public ThreadHeapLease(ArenaHeap heap, ThreadHeap* threadHeap)
    {
        _heap = heap;
        ThreadHeap = threadHeap;
    }

    /// <summary>The thread heap this lease keeps alive.</summary>
    public ThreadHeap* ThreadHeap { get; }

    ~ThreadHeapLease() => _heap.Abandon(ThreadHeap);
}

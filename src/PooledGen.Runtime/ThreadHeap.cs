using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PooledGen;

// The operations on one thread heap: its per-class pool slots and lists. The struct and its invariants: Headers.cs.
// Attaching a thread, abandoning and adopting pools: ArenaHeap.Threads.cs.
internal unsafe partial struct ThreadHeap
{
    // Thread heaps of disposed heaps, kept for new heaps (declared before Detached, whose initialiser uses Create).
    private static readonly System.Collections.Generic.Stack<nint> s_recycled = new();

    /// <summary>The owner of pools no thread owns (in their arena, or abandoned). Never a real thread's heap.</summary>
    public static readonly ThreadHeap* Detached = Create(0);

    /// <summary>The current pool of class <paramref name="sizeClass"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Pool* Current(ThreadHeap* heap, int sizeClass) => ref ((Pool**)heap->CurrentPools)[sizeClass];

    /// <summary>The head of the partial-pool list of class <paramref name="sizeClass"/>.</summary>
    public static ref Pool* Partial(ThreadHeap* heap, int sizeClass) => ref ((Pool**)heap->PartialPools)[sizeClass];

    /// <summary>The head of the full-pool list of class <paramref name="sizeClass"/>.</summary>
    public static ref Pool* Full(ThreadHeap* heap, int sizeClass) => ref ((Pool**)heap->FullPools)[sizeClass];

    /// <summary>A thread heap with no pools, not attached to a thread: a recycled one of a disposed heap, else a new one in native memory.</summary>
    public static ThreadHeap* Create(int heapId)
    {
        ThreadHeap* heap = null;
        lock (s_recycled)
        {
            if (s_recycled.Count > 0)
            {
                heap = (ThreadHeap*)s_recycled.Pop();
            }
        }

        if (heap == null)
        {
            heap = (ThreadHeap*)NativeMemory.AlignedAlloc((nuint)sizeof(ThreadHeap), 64);
        }

        NativeMemory.Clear(heap, (nuint)sizeof(ThreadHeap));
        heap->HeapId = heapId;
        ResetPools(heap);
        return heap;
    }

    /// <summary>
    /// Keeps the thread heap of a disposed heap for a new heap, emptied and of no heap (id 0): never freed, so that a
    /// stale LocalHeap or lease that still points at it reads a valid empty thread heap.
    /// </summary>
    public static void Recycle(ThreadHeap* heap)
    {
        ResetPools(heap);
        heap->HeapId = 0;
        heap->IsAttached = false;
        lock (s_recycled)
        {
            s_recycled.Push((nint)heap);
        }
    }


    /// <summary>Forgets every pool (they have been handed back); counters are kept.</summary>
    public static void ResetPools(ThreadHeap* heap)
    {
        for (int c = 0; c < PooledGen.SizeClass.Count; c++)
        {
            Current(heap, c) = EmptyPool.Instance;
            Partial(heap, c) = null;
            Full(heap, c) = null;
            heap->RemoteFreeHint[c] = 0;
        }

        heap->CachedPools = null;
        heap->CachedPoolCount = 0;
        heap->TrimRequested = 0;
    }

    /// <summary>True when the thread heap owns no pool: what an idle thread heap must be.</summary>
    public static bool OwnsNoPool(ThreadHeap* heap)
    {
        for (int c = 0; c < PooledGen.SizeClass.Count; c++)
        {
            if (Current(heap, c) != EmptyPool.Instance || Partial(heap, c) != null || Full(heap, c) != null)
            {
                return false;
            }
        }

        return heap->CachedPools == null;
    }

    /// <summary>Parks the exhausted current pool of <paramref name="sizeClass"/> on the full list, where frees find it again.</summary>
    public static void RetireCurrent(ThreadHeap* heap, int sizeClass)
    {
        ref Pool* current = ref Current(heap, sizeClass);
        Pool* pool = current;
        Debug.Assert(pool != EmptyPool.Instance && pool->State == PoolState.Current && pool->Owner == heap, "only a real current pool is retired");
        Debug.Assert(pool->Free == null && pool->NextOffset > pool->CarveLimit, "the current pool is retired only when it has no block left");
        Pool.PushFront(ref Full(heap, sizeClass), pool, PoolState.Full);
        current = EmptyPool.Instance;
    }

    /// <summary>Keeps an owned pool that just became empty for reuse (Partial/Full, unlinked, to Cached).</summary>
    public static void CachePool(ThreadHeap* heap, Pool* pool)
    {
        Debug.Assert(pool->Owner == heap && pool->Used == 0 && pool->ThreadFree == 0, "only an owned empty pool is cached");
        Debug.Assert(pool->Next == null && pool->Prev == null, "a pool is unlinked from its list before it is cached");
        Debug.Assert(heap->CachedPoolCount < ArenaHeap.MaxCachedPools, "the cache of empty pools is bounded");
        Pool.SetState(pool, PoolState.Cached);
        pool->Next = heap->CachedPools;
        heap->CachedPools = pool;
        heap->CachedPoolCount++;
    }

    /// <summary>Takes a cached empty pool, one of <paramref name="sizeClass"/> if there is one (no new geometry), else any; null when none.</summary>
    public static Pool* TakeCachedPool(ThreadHeap* heap, int sizeClass)
    {
        Pool** link = &heap->CachedPools;
        Pool** take = link;
        for (; *link != null; link = &(*link)->Next)
        {
            if ((*link)->SizeClass == sizeClass)
            {
                take = link;
                break;
            }
        }

        Pool* pool = *take;
        if (pool != null)
        {
            Debug.Assert(pool->State == PoolState.Cached && pool->Owner == heap && pool->Used == 0, "the cache holds this thread heap's empty pools");
            *take = pool->Next;
            pool->Next = null;
            heap->CachedPoolCount--;
        }

        return pool;
    }

    /// <summary>Moves an owned full pool that got blocks back to the partial list (Full to Partial).</summary>
    public static void Unfull(ThreadHeap* heap, Pool* pool)
    {
        Debug.Assert(pool->State == PoolState.Full && pool->Owner == heap, "only an owned full pool becomes partial");
        Pool.Unlink(ref Full(heap, pool->SizeClass), pool);
        Pool.PushFront(ref Partial(heap, pool->SizeClass), pool, PoolState.Partial);
    }
}

/// <summary>
/// The fallback for threads that end without <c>DetachCurrentThread()</c>, when no other thread attaches or takes a pool
/// to notice them: an object that makes itself unreachable again from its own finalizer, so that it runs after every
/// full garbage collection (the runtime's Gen2GcCallback pattern), and asks every heap to abandon the thread heaps of
/// threads that have ended. One for the process; it costs a thread nothing (no per-thread object, no managed
/// thread-static), so attaching a thread allocates nothing on the GC heap.
/// </summary>
internal sealed class DeadThreadCollector
{
    private static int s_started;

    private DeadThreadCollector()
    {
    }

    /// <summary>Starts the collector once (when the first heap is made).</summary>
    public static void EnsureStarted()
    {
        if (System.Threading.Interlocked.Exchange(ref s_started, 1) == 0)
        {
            _ = new DeadThreadCollector();
        }
    }

    ~DeadThreadCollector()
    {
        if (System.Environment.HasShutdownStarted)
        {
            return;
        }

        foreach (ArenaHeap heap in HeapRegistry.Snapshot())
        {
            heap.AbandonDeadThreads();
        }

        System.GC.ReRegisterForFinalize(this);
    }
}

using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PooledGen;

// Allocation: the fast path (a pop from the current pool, or a carve of its next never-used block), shared by every
// entry point, and the slow path that finds the next pool. Each entry point pairs the fast path with its own slow
// path: PooledHeap's goes to the shared heap, an ArenaHeap's to itself, a LocalHeap's to the heap of its thread heap.
// Debug mode never comes here: the entry points send it to ArenaHeap.Debug.cs first (a private debug heap's thread
// heaps never hold a pool, so its fast path always misses and its slow path goes there), so these paths have no
// debug test at all.
public sealed unsafe partial class ArenaHeap
{
    /// <summary>
    /// Empty pools a thread heap keeps for reuse before it gives them back to their arenas under the lock: 256 KiB of
    /// pools per thread (8 of the default 32 KiB), at least 2, enough that building and freeing large structures
    /// (binary-trees) rarely takes the heap lock. Trim(), DetachCurrentThread() and the end of the thread give them back.
    /// </summary>
    internal static int MaxCachedPools => Math.Max(2, CachedBytesPerThread / HeapGeometry.PoolSize);

    private const int CachedBytesPerThread = 256 * 1024;

    /// <summary>The cache size this heap's thread heaps use: <see cref="MaxCachedPools"/> (set in the constructor, once the sizes are fixed); tests of the arena layer set 0.</summary>
    internal int CachedPoolLimit { get; set; } = -1;

    /// <summary>
    /// The fast path: a block of class <paramref name="sizeClass"/> from the current pool of
    /// <paramref name="threadHeap"/> (not null), or null when the caller must take its slow path. No lock, no atomic,
    /// no allocation. The block's memory is not cleared.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte* TryAllocateSmall(ThreadHeap* threadHeap, int sizeClass)
    {
        Pool* pool = ThreadHeap.Current(threadHeap, sizeClass);
        byte* block = pool->Free;
        if (block != null)
        {
            pool->Free = *(byte**)block;
        }
        else
        {
            // Lazy carving (obmalloc's nextoffset), here rather than in the slow path: a fresh pool hands out
            // its never-used blocks at the cost of a pop. The empty pool's NextOffset is past its CarveLimit.
            int next = pool->NextOffset;
            if (next > pool->CarveLimit)
            {
                return null;
            }

            block = (byte*)pool + next;
            pool->NextOffset = next + SizeClass.BlockSize(sizeClass);
        }

        pool->Used++;
        threadHeap->Allocations[sizeClass]++;
        return block;
    }

    /// <summary>This heap's typed allocation: the size class, and whether to take the large path, are JIT constants.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void* AllocateBlock<T>() where T : unmanaged =>
        BlockLayout<T>.IsLarge
            ? AllocateLarge((nuint)sizeof(T), BlockLayout<T>.LargeAlignment)
            : AllocateSmall(BlockLayout<T>.Class);

    /// <summary>This heap's small allocation: the fast path with the calling thread's thread heap, else this heap's slow path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* AllocateSmall(int sizeClass)
    {
        ThreadHeap* threadHeap = CurrentThreadHeapOrNull();
        byte* block = threadHeap != null ? TryAllocateSmall(threadHeap, sizeClass) : null;
        return block != null ? block : AllocateSlow(sizeClass);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte* AllocateSlow(int sizeClass) => AllocateFromPools(CurrentThreadHeap(), sizeClass);

    /// <summary>
    /// The slow path of a typed allocation through a <see cref="LocalHeap"/> (<paramref name="threadHeap"/> is one of
    /// this heap's): debug mode, the large path, or the next pool.
    /// </summary>
    internal Pooled<T> AllocOn<T>(ThreadHeap* threadHeap) where T : unmanaged
    {
        if (_debug)
        {
            return AllocDebug<T>();
        }

        var pointer = (T*)(BlockLayout<T>.IsLarge
            ? AllocateLarge((nuint)sizeof(T), BlockLayout<T>.LargeAlignment)
            : AllocateFromPools(threadHeap, BlockLayout<T>.Class));
        *pointer = default;
        return new Pooled<T>(pointer);
    }

    /// <summary>
    /// The complete allocation path of <paramref name="threadHeap"/>, one of this heap's (the fast path is only a
    /// shortcut into it): the current pool's free list, then the blocks other threads freed into it, then its
    /// never-used blocks; then the next pool with free blocks; then a cached empty pool; then an abandoned pool;
    /// then a new pool from the fullest arena, or a new arena.
    /// </summary>
    internal byte* AllocateFromPools(ThreadHeap* threadHeap, int sizeClass)
    {
        Debug.Assert(threadHeap->HeapId == Id || threadHeap->HeapId == -Id, "a thread heap allocates from its own heap");
        if (threadHeap->TrimRequested != 0)
        {
            lock (_lock)
            {
                ReleaseEmptyPools(threadHeap);
            }
        }

        ref Pool* current = ref ThreadHeap.Current(threadHeap, sizeClass);
        while (true)
        {
            Pool* pool = current;
            if (pool != EmptyPool.Instance)
            {
                Debug.Assert(pool->State == PoolState.Current && pool->Owner == threadHeap && pool->SizeClass == sizeClass,
                    "the current pool is this thread heap's, of this class");
                byte* block = Pool.TakeBlock(pool);
                if (block != null)
                {
                    threadHeap->Allocations[sizeClass]++;
                    return block;
                }

                // Full: park it where a free (local or remote) can find it again.
                ThreadHeap.RetireCurrent(threadHeap, sizeClass);
            }

            current = NextPool(threadHeap, sizeClass);
            Debug.Assert(current->State == PoolState.Current && current->Owner == threadHeap, "the next pool becomes this thread heap's current pool");
        }
    }

    /// <summary>
    /// The pool to allocate from next: a partial one, else a full one that got remote frees, else a cached empty one,
    /// else (under the lock) an abandoned one, else a new one.
    /// </summary>
    private Pool* NextPool(ThreadHeap* threadHeap, int sizeClass)
    {
        ref Pool* partial = ref ThreadHeap.Partial(threadHeap, sizeClass);
        if (partial == null && Volatile.Read(ref threadHeap->RemoteFreeHint[sizeClass]) != 0)
        {
            CollectRemoteFreesOfFullPools(threadHeap, sizeClass);
        }

        Pool* pool = partial;
        if (pool != null)
        {
            Debug.Assert(pool->State == PoolState.Partial && pool->Owner == threadHeap, "the partial list holds this thread heap's partial pools");
            Pool.Unlink(ref partial, pool);
            Pool.SetState(pool, PoolState.Current);
            return pool;
        }

        pool = ThreadHeap.TakeCachedPool(threadHeap, sizeClass);
        if (pool != null)
        {
            if (pool->SizeClass != sizeClass)
            {
                ChangeClass(pool, sizeClass);
            }

            Pool.SetState(pool, PoolState.Current);
            return pool;
        }

        lock (_lock)
        {
            ThrowIfDisposed();
            Pool* adopted = AdoptAbandonedPool(threadHeap, sizeClass);
            if (adopted == null)
            {
                // Before a pool comes from an arena: pools of threads that ended without detaching, if any, first.
                AbandonDeadThreads(force: false);
                adopted = AdoptAbandonedPool(threadHeap, sizeClass);
            }

            if (adopted != null)
            {
                return adopted;
            }

            try
            {
                return AcquirePool(threadHeap, sizeClass);
            }
            catch (OutOfMemoryException)
            {
                // Under the cap: a full pool that gathered a few free blocks (not yet enough to go back on the partial
                // list) serves before the heap refuses.
                Pool* roomy = TakeFullPoolWithRoom(threadHeap, sizeClass);
                if (roomy == null)
                {
                    throw;
                }

                return roomy;
            }
        }
    }

    /// <summary>A pool of the full list that has a free block after all (frees below its unfull margin, or remote ones); null when none.</summary>
    private static Pool* TakeFullPoolWithRoom(ThreadHeap* threadHeap, int sizeClass)
    {
        ref Pool* full = ref ThreadHeap.Full(threadHeap, sizeClass);
        for (Pool* pool = full; pool != null; pool = pool->Next)
        {
            Pool.CollectThreadFree(pool);
            if (pool->Used < pool->Capacity)
            {
                Pool.Unlink(ref full, pool);
                Pool.SetState(pool, PoolState.Current);
                return pool;
            }
        }

        return null;
    }

    /// <summary>A cached empty pool serves another class from now on: its geometry and the heap's counts change.</summary>
    private void ChangeClass(Pool* pool, int sizeClass)
    {
        int oldClass = pool->SizeClass;
        long oldCapacity = pool->Capacity;
        Pool.Initialize(pool, sizeClass, pool->FirstOffset, pool->Owner, pool->HeapId);
        lock (_lock)
        {
            _poolsInUse[oldClass]--;
            _blockCapacity[oldClass] -= oldCapacity;
            _poolsInUse[sizeClass]++;
            _blockCapacity[sizeClass] += pool->Capacity;
        }
    }

    /// <summary>Other threads freed into this class's pools: move the full ones that got blocks back to the partial list.</summary>
    private static void CollectRemoteFreesOfFullPools(ThreadHeap* threadHeap, int sizeClass)
    {
        Interlocked.Exchange(ref threadHeap->RemoteFreeHint[sizeClass], 0);
        Pool* pool = ThreadHeap.Full(threadHeap, sizeClass);
        while (pool != null)
        {
            Pool* next = pool->Next;
            if (Pool.CollectThreadFree(pool) > 0)
            {
                ThreadHeap.Unfull(threadHeap, pool);
            }

            pool = next;
        }
    }
}

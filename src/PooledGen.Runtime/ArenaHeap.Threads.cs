using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PooledGen;

// Thread heaps: finding the calling thread's, attaching a thread that has none, and handing a thread's pools back
// when it ends (abandonment) so that other threads adopt them: at once with DetachCurrentThread; else when the heap
// notices the thread has ended (another thread attaching, a pool about to come from an arena, or the
// DeadThreadCollector after a full garbage collection). Attaching allocates nothing on the GC heap: a thread's end is
// signalled by the C library (ThreadLife.cs) and its thread-statics are unmanaged (ThreadStatics.cs).
public sealed unsafe partial class ArenaHeap
{
    // How often, at most, the slow path looks for threads that ended without detaching.
    private const long DeadThreadScanInterval = 10;

    // The attached thread heaps with their attach and their thread's ThreadLife, to notice threads that ended (under
    // _lock). Each entry holds one reference on its ThreadLife, dropped where the entry goes (ForgetAttach, dispose).
    private readonly System.Collections.Generic.List<(nint ThreadHeap, int AttachCount, nint Life)> _attachedThreads = new(16);
    private long _lastDeadThreadScan;

    /// <summary>This heap's thread heap for the calling thread, or null when the thread has not used the heap yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ThreadHeap* CurrentThreadHeapOrNull()
    {
        if (_isShared)
        {
            return ThreadStatics.SharedThreadHeap;
        }

        return (ThreadHeap*)_threadHeaps!.Value;
    }

    /// <summary>This heap's thread heap for the calling thread, attaching the thread if it has none.</summary>
    internal ThreadHeap* CurrentThreadHeap()
    {
        ThreadHeap* threadHeap = CurrentThreadHeapOrNull();
        return threadHeap != null ? threadHeap : AttachCurrentThread();
    }

    private ThreadHeap* AttachCurrentThread()
    {
        ThreadHeap* threadHeap;
        lock (_lock)
        {
            ThrowIfDisposed();

            // A thread that ended without detaching: its pools go back now, before this thread takes fresh ones.
            AbandonDeadThreads(force: true);
            if (_idleThreadHeaps.Count > 0)
            {
                threadHeap = (ThreadHeap*)_idleThreadHeaps.Pop();
                Debug.Assert(!threadHeap->IsAttached && ThreadHeap.OwnsNoPool(threadHeap), "an idle thread heap owns no pool");
            }
            else
            {
                threadHeap = ThreadHeap.Create(Id);
                _allThreadHeaps.Add((nint)threadHeap);

                // The only growth of the thread-heap lists, here where a new thread heap is made: each list holds at most
                // one entry per thread heap, so attaching, detaching and abandoning never allocate on the GC heap.
                _idleThreadHeaps.EnsureCapacity(_allThreadHeaps.Capacity);
                _attachedThreads.EnsureCapacity(_allThreadHeaps.Capacity);
            }

            threadHeap->IsAttached = true;
            threadHeap->AttachCount++;
            ThreadLife* life = ThreadLife.OfCurrentThread();
            ThreadLife.Retain(life);
            _attachedThreads.Add(((nint)threadHeap, threadHeap->AttachCount, (nint)life));
        }

        if (_isShared)
        {
            ThreadStatics.SharedThreadHeap = threadHeap;
        }
        else
        {
            _threadHeaps!.Value = (nint)threadHeap;
        }

        return threadHeap;
    }

    /// <summary>Abandons the calling thread's thread heap now (see <see cref="DetachCurrentThread"/>).</summary>
    private void DetachCurrentThreadHeap()
    {
        ThreadHeap* threadHeap = CurrentThreadHeapOrNull();
        if (threadHeap == null)
        {
            return;
        }

        if (_isShared)
        {
            ThreadStatics.SharedThreadHeap = null;
        }
        else
        {
            _threadHeaps!.Value = 0;
        }

        Abandon(threadHeap, threadHeap->AttachCount);
    }

    /// <summary>The DeadThreadCollector's call after a full garbage collection: abandons the thread heaps of threads that ended.</summary>
    internal void AbandonDeadThreads()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                AbandonDeadThreads(force: true);
            }
        }
    }

    /// <summary>
    /// Under the lock: abandons the thread heaps of threads that have ended without detaching, so that their pools are
    /// adopted and drained now. Runs when a thread attaches and, at most every few milliseconds, when a pool is about
    /// to come from an arena (and after full garbage collections, from the DeadThreadCollector).
    /// </summary>
    private void AbandonDeadThreads(bool force)
    {
        long now = Environment.TickCount64;
        if (!force && now - _lastDeadThreadScan < DeadThreadScanInterval)
        {
            return;
        }

        _lastDeadThreadScan = now;
        for (int i = _attachedThreads.Count - 1; i >= 0; i--)
        {
            (nint threadHeap, int attachCount, nint life) = _attachedThreads[i];
            if (ThreadLife.HasEnded((ThreadLife*)life))
            {
                Abandon((ThreadHeap*)threadHeap, attachCount);
            }
        }
    }

    /// <summary>
    /// The calling thread detached, or it was seen to have ended: its pools become the heap's (empty ones go back to
    /// their arenas) and the thread heap waits, idle, for the next thread. <paramref name="attachCount"/> is the attach
    /// this abandonment is for: a thread heap attached again since is left alone.
    /// </summary>
    internal void Abandon(ThreadHeap* threadHeap, int attachCount)
    {
        lock (_lock)
        {
            if (_disposed || !threadHeap->IsAttached || threadHeap->AttachCount != attachCount)
            {
                return;
            }

            for (int i = _attachedThreads.Count - 1; i >= 0; i--)
            {
                if (_attachedThreads[i].ThreadHeap == (nint)threadHeap)
                {
                    // Swapped with the last: no delegate, no shifting, nothing allocated.
                    ThreadLife.Release((ThreadLife*)_attachedThreads[i].Life);
                    _attachedThreads[i] = _attachedThreads[^1];
                    _attachedThreads.RemoveAt(_attachedThreads.Count - 1);
                }
            }

            for (int c = 0; c < SizeClass.Count; c++)
            {
                Pool* current = ThreadHeap.Current(threadHeap, c);
                if (current != EmptyPool.Instance)
                {
                    AbandonPool(threadHeap, current, c);
                }

                AbandonList(threadHeap, ThreadHeap.Partial(threadHeap, c), c);
                AbandonList(threadHeap, ThreadHeap.Full(threadHeap, c), c);
            }

            ReleaseCachedPools(threadHeap);

            ThreadHeap.ResetPools(threadHeap);
            threadHeap->IsAttached = false;
            Debug.Assert(ThreadHeap.OwnsNoPool(threadHeap), "an abandoned thread heap owns no pool");
            _idleThreadHeaps.Push((nint)threadHeap);
        }
    }

    private void AbandonList(ThreadHeap* threadHeap, Pool* pool, int sizeClass)
    {
        while (pool != null)
        {
            Pool* next = pool->Next;
            pool->Next = null;
            pool->Prev = null;
            AbandonPool(threadHeap, pool, sizeClass);
            pool = next;
        }
    }

    private void AbandonPool(ThreadHeap* threadHeap, Pool* pool, int sizeClass)
    {
        Debug.Assert(pool->Owner == threadHeap && pool->SizeClass == sizeClass, "a thread heap abandons only its own pools");
        Debug.Assert(pool->State is PoolState.Current or PoolState.Partial or PoolState.Full, "only an owned pool is abandoned");
        Pool.CollectThreadFree(pool);
        pool->Owner = ThreadHeap.Detached;
        if (pool->Used == 0)
        {
            ReleasePool(pool);
        }
        else
        {
            Pool.PushFront(ref _abandonedPools[sizeClass], pool, PoolState.Abandoned);
            _abandonedPoolCount++;
        }
    }

    /// <summary>
    /// Under the lock: gives <paramref name="threadHeap"/> a pool of its class whose thread ended and that has a free
    /// block, if there is one, as its current pool. Full abandoned pools stay where they are (adopting one would give
    /// nothing to allocate): the first free into one adopts it (<see cref="ReclaimAbandonedPool"/>).
    /// </summary>
    private Pool* AdoptAbandonedPool(ThreadHeap* threadHeap, int sizeClass)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "abandoned pools are adopted under the heap lock");
        Pool* pool = _abandonedPools[sizeClass];
        for (int looked = 0; pool != null && !HasFreeBlock(pool); looked++)
        {
            pool = looked < MaxAbandonedPoolsLookedAt ? pool->Next : null;
        }

        if (pool == null)
        {
            return null;
        }

        TakeAbandonedPool(threadHeap, pool);
        Pool.SetState(pool, PoolState.Current);
        return pool;
    }

    /// <summary>
    /// Under the lock, when <paramref name="threadHeap"/>'s thread frees a block of an abandoned pool (mimalloc's
    /// abandoned_reclaim_on_free): the pool becomes the thread heap's, on its partial list (its full list when it has no
    /// free block), so that this free and the thread's next ones into the pool are local, and the pool, once empty, is
    /// cached or goes back to its arena as any owned pool does. A thread that takes over another's blocks (larson's
    /// lanes) then takes the heap lock once per pool rather than once per block, and a pool freed into does not stay
    /// abandoned, half used, until an allocation adopts it.
    /// </summary>
    private void ReclaimAbandonedPool(ThreadHeap* threadHeap, Pool* pool)
    {
        TakeAbandonedPool(threadHeap, pool);
        int sizeClass = pool->SizeClass;
        if (HasFreeBlock(pool))
        {
            Pool.PushFront(ref ThreadHeap.Partial(threadHeap, sizeClass), pool, PoolState.Partial);
        }
        else
        {
            Pool.PushFront(ref ThreadHeap.Full(threadHeap, sizeClass), pool, PoolState.Full);
        }
    }

    /// <summary>
    /// Under the lock: takes an abandoned pool off the heap's list and makes it <paramref name="threadHeap"/>'s, with the
    /// blocks other threads freed into it collected; the caller puts it where the thread heap keeps it (and sets its state).
    /// </summary>
    private void TakeAbandonedPool(ThreadHeap* threadHeap, Pool* pool)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "abandoned pools are adopted under the heap lock");
        Debug.Assert(pool->State == PoolState.Abandoned && pool->Owner == ThreadHeap.Detached, "the abandoned list holds pools no thread owns");
        Debug.Assert(threadHeap->IsAttached && threadHeap->HeapId == Id, "an abandoned pool is adopted by a thread heap of this heap in use by a thread");
        Pool.Unlink(ref _abandonedPools[pool->SizeClass], pool);
        _abandonedPoolCount--;
        Pool.CollectThreadFree(pool);
        pool->Owner = threadHeap;
    }

    // How many full abandoned pools an adoption looks past for one with a free block.
    private const int MaxAbandonedPoolsLookedAt = 16;

    private static bool HasFreeBlock(Pool* pool) =>
        pool->Free != null || pool->NextOffset <= pool->CarveLimit || Volatile.Read(ref pool->ThreadFree) != 0;

    /// <summary>
    /// Under the lock, when the heap is disposed: every thread heap is emptied and kept for the next heap (a LocalHeap
    /// taken before the dispose then reads an empty thread heap of no heap, and is refused, instead of freed memory).
    /// </summary>
    private void RecycleAllThreadHeaps()
    {
        foreach (nint threadHeap in _allThreadHeaps)
        {
            ThreadHeap.Recycle((ThreadHeap*)threadHeap);
        }

        if (_debugOwner != null)
        {
            ThreadHeap.Recycle(_debugOwner);
        }

        _allThreadHeaps.Clear();
        _idleThreadHeaps.Clear();
        foreach ((_, _, nint life) in _attachedThreads)
        {
            ThreadLife.Release((ThreadLife*)life);
        }

        _attachedThreads.Clear();
    }
}

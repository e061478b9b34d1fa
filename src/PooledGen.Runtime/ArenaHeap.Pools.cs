using System.Diagnostics;
using System.Threading;

namespace PooledGen;

// Pool supply: taking a pool for a size class from the fullest arena, giving an empty pool back to its arena, and
// the sweeps that give empty pools back (Trim, a trim request, abandoned pools). Everything here runs under _lock.
public sealed unsafe partial class ArenaHeap
{
    /// <summary>Takes a pool for <paramref name="sizeClass"/> from the fullest usable arena, or from a new arena.</summary>
    private Pool* AcquirePool(ThreadHeap* threadHeap, int sizeClass)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "pools are taken from arenas under the heap lock");
        Arena* arena = FullestUsableArena();
        if (arena == null)
        {
            arena = NewArena();
        }

        int freePools = arena->FreePools;
        Pool* pool = Arena.TakePool(arena, out int firstOffset, out _);
        MoveArena(arena, freePools);
        Pool.Initialize(pool, sizeClass, firstOffset, threadHeap, threadHeap->HeapId);
        _poolsInUse[sizeClass]++;
        _blockCapacity[sizeClass] += pool->Capacity;
        return pool;
    }

    /// <summary>Returns an empty pool to its arena, where it waits for reuse or for the purge (which also releases an emptied arena).</summary>
    private void ReleasePool(Pool* pool)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "pools go back to arenas under the heap lock");
        Debug.Assert(pool->Used == 0 && pool->ThreadFree == 0, "only an empty pool goes back to its arena");
        Debug.Assert(pool->State != PoolState.InArena, "a pool goes back to its arena once");
        Arena* arena = Arena.Of(pool);
        _poolsInUse[pool->SizeClass]--;
        _blockCapacity[pool->SizeClass] -= pool->Capacity;
        Debug.Assert(_poolsInUse[pool->SizeClass] >= 0 && _blockCapacity[pool->SizeClass] >= 0, "pool counts never go negative");
        int freePools = arena->FreePools;
        Arena.ReturnPool(arena, pool);
        pool->ReturnedAt = System.Environment.TickCount64;
        MoveArena(arena, freePools);
        OnPoolReturned(arena, pool->ReturnedAt);
    }

    /// <summary>Under the lock: returns the owner's empty pools to their arenas (Trim, or a trim request).</summary>
    private void ReleaseEmptyPools(ThreadHeap* threadHeap)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "empty pools are swept under the heap lock");
        threadHeap->TrimRequested = 0;
        for (int c = 0; c < SizeClass.Count; c++)
        {
            ref Pool* current = ref ThreadHeap.Current(threadHeap, c);
            if (current != EmptyPool.Instance)
            {
                Pool.CollectThreadFree(current);
                if (current->Used == 0)
                {
                    ReleasePool(current);
                    current = EmptyPool.Instance;
                }
            }

            ReleaseEmptyPoolsOfList(threadHeap, ref ThreadHeap.Partial(threadHeap, c));
            ReleaseEmptyPoolsOfList(threadHeap, ref ThreadHeap.Full(threadHeap, c));
        }

        ReleaseCachedPools(threadHeap);
    }

    /// <summary>Under the lock: the thread heap's cached empty pools go back to their arenas.</summary>
    private void ReleaseCachedPools(ThreadHeap* threadHeap)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "cached pools go back to their arenas under the heap lock");
        for (Pool* pool = ThreadHeap.TakeCachedPool(threadHeap, -1); pool != null; pool = ThreadHeap.TakeCachedPool(threadHeap, -1))
        {
            ReleasePool(pool);
        }

        Debug.Assert(threadHeap->CachedPoolCount == 0, "every cached pool went back");
    }

    private void ReleaseEmptyPoolsOfList(ThreadHeap* threadHeap, ref Pool* head)
    {
        Pool* pool = head;
        while (pool != null)
        {
            Pool* next = pool->Next;
            int collected = Pool.CollectThreadFree(pool);
            if (pool->Used == 0)
            {
                Pool.Unlink(ref head, pool);
                ReleasePool(pool);
            }
            else if (collected > 0 && pool->State == PoolState.Full)
            {
                ThreadHeap.Unfull(threadHeap, pool);
            }

            pool = next;
        }
    }

    /// <summary>Under the lock: every abandoned pool that frees have emptied goes back to its arena.</summary>
    private void ReleaseEmptyAbandonedPools()
    {
        for (int c = 0; c < SizeClass.Count; c++)
        {
            Pool* pool = _abandonedPools[c];
            while (pool != null)
            {
                Pool* next = pool->Next;
                Pool.CollectThreadFree(pool);
                if (pool->Used == 0)
                {
                    Pool.Unlink(ref _abandonedPools[c], pool);
                    _abandonedPoolCount--;
                    ReleasePool(pool);
                }

                pool = next;
            }
        }
    }

    /// <summary>Under the lock: asks every other thread to release its empty pools at its next slow path.</summary>
    private void RequestTrimOfOtherThreads(ThreadHeap* self)
    {
        foreach (nint threadHeap in _allThreadHeaps)
        {
            if ((ThreadHeap*)threadHeap != self)
            {
                ((ThreadHeap*)threadHeap)->TrimRequested = 1;
            }
        }
    }
}

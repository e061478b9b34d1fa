using System;
using System.Diagnostics;
using System.Threading;

namespace PooledGen;

// Statistics: a snapshot of the heap's counters, summed over its thread heaps under the heap lock.
public sealed unsafe partial class ArenaHeap
{
    /// <summary>
    /// Under the lock: pools whose pages the heap holds (carved and not decommitted since, the arena header's page of a
    /// purged first pool aside) and, of those, the free ones waiting for the purge.
    /// </summary>
    private (long Committed, long Waiting) CountCommittedPools()
    {
        long committed = 0;
        long waiting = 0;
        for (int n = 0; n <= HeapGeometry.PoolsPerArena; n++)
        {
            for (Arena* arena = _arenasByFreePools[n]; arena != null; arena = arena->Next)
            {
                int decommitted = arena->FreePools - (HeapGeometry.PoolsPerArena - arena->CarvedPools) - arena->WaitingPools;
                committed += arena->CarvedPools - decommitted;
                waiting += arena->WaitingPools;
            }
        }

        return (committed, waiting);
    }

    /// <summary>
    /// Under the lock: per class, the <c>Used</c> count of every pool out of its arenas (owned, cached or abandoned).
    /// Owners change their pools' counts meanwhile: each count is read once, whole.
    /// </summary>
    private long[] SumUsedBlocks()
    {
        var used = new long[SizeClass.Count];
        for (int n = 0; n < HeapGeometry.PoolsPerArena; n++)
        {
            for (Arena* arena = _arenasByFreePools[n]; arena != null; arena = arena->Next)
            {
                ulong* freeMap = Arena.FreeMap(arena);
                for (int i = 0; i < arena->CarvedPools; i++)
                {
                    if (!Arena.Has(freeMap, i))
                    {
                        Pool* pool = Arena.PoolAt(arena, i);
                        used[pool->SizeClass] += Volatile.Read(ref pool->Used);
                    }
                }
            }
        }

        return used;
    }

    /// <summary>Under the lock: per class, a counter summed over every thread heap of this heap (and its debug block owner).</summary>
    private long[] SumThreadHeapCounters(CounterOf counter)
    {
        var sums = new long[SizeClass.Count];
        foreach (nint threadHeap in _allThreadHeaps)
        {
            AddCounter(sums, counter((ThreadHeap*)threadHeap));
        }

        if (_debugOwner != null)
        {
            AddCounter(sums, counter(_debugOwner));
        }

        return sums;

        static void AddCounter(long[] sums, long* perClass)
        {
            for (int c = 0; c < SizeClass.Count; c++)
            {
                sums[c] += Volatile.Read(ref perClass[c]);
            }
        }
    }

    private delegate long* CounterOf(ThreadHeap* threadHeap);

    /// <summary>Counts blocks collected from the thread-free list of an abandoned pool (under the lock; see <c>ThreadHeap.Collected</c>).</summary>
    internal void CountCollectedFromAbandonedPool(int sizeClass, int count)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "abandoned pools are touched only under the heap lock");
        _collectedFromAbandonedPools[sizeClass] += count;
    }

    /// <summary>Takes a snapshot of this heap's statistics. Allocating threads are not stopped.</summary>
    /// <returns>The snapshot.</returns>
    public PooledHeapStatistics GetStatistics()
    {
        // The debug figures come from the live-block records, under their own lock, never nested in the heap's.
        (PooledTypeStatistics[] Types, long Padding, long Guards)? debug = _debugBlocks?.Summarize();
        long[]? quarantined = _debugBlocks?.QuarantinedPerClass();
        lock (_lock)
        {
            ThrowIfDisposed();
            var classes = new SizeClassStatistics[SizeClass.Count];
            long bytesInUse = _largeObjectBytes;
            long poolsInUse = 0;
            long bytesInFreeBlocks = 0;
            long allocations = _largeObjectAllocations;
            long frees = _largeObjectFrees;
            // Blocks in use: the pools' Used, less the blocks other threads freed that wait on thread-free lists (pushed,
            // less collected). Frees: the allocations less those (a local free counts nothing itself). Owners allocate,
            // free and collect while this reads, so the reads are ordered to err towards fewer frees, never more:
            // allocations and pushes before the pools, collections after them.
            long[] allocated = SumThreadHeapCounters(h => h->Allocations);
            long[] pushed = SumThreadHeapCounters(h => h->RemoteFrees);
            long[] used = SumUsedBlocks();
            long[] collected = SumThreadHeapCounters(h => h->Collected);
            for (int c = 0; c < SizeClass.Count; c++)
            {
                long blocks = used[c] - (pushed[c] - collected[c] - _collectedFromAbandonedPools[c]);
                if (_debugOwner != null)
                {
                    // A debug heap's raw blocks: those in the quarantine are freed as far as the user is concerned.
                    blocks -= quarantined![c];
                }

                // A counter only grows: a snapshot taken while other threads work never reports fewer frees than an
                // earlier one (nor more than the allocations, which only grow and were read first).
                long freed = Math.Max(_reportedFrees[c], allocated[c] - Math.Max(0, blocks));
                _reportedFrees[c] = freed;
                blocks = allocated[c] - freed;
                long free = Math.Max(0, _blockCapacity[c] - blocks);
                int blockSize = SizeClass.BlockSize(c);
                classes[c] = new SizeClassStatistics(c, blockSize, _poolsInUse[c], blocks, free) { Allocations = allocated[c], Frees = freed };
                bytesInUse += blocks * blockSize;
                bytesInFreeBlocks += free * blockSize;
                poolsInUse += _poolsInUse[c];
                allocations += allocated[c];
                frees += freed;
            }

            long freePools = _arenasCurrent * HeapGeometry.PoolsPerArena - poolsInUse;
            (long committedPools, long waitingPools) = CountCommittedPools();
            return new PooledHeapStatistics
            {
                BytesCommitted = committedPools * HeapGeometry.PoolSize + _largeObjectBytes,
                PoolsWaitingForPurge = waitingPools,
                BytesWaitingForPurge = waitingPools * HeapGeometry.PoolSize,
                Purges = _purges,
                PoolsDecommitted = _poolsDecommitted,
                PurgeDelay = PurgeDelayMilliseconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(PurgeDelayMilliseconds),
                ArenaSize = HeapGeometry.ArenaSize,
                PoolSize = HeapGeometry.PoolSize,
                SizeClasses = classes,
                ArenasAllocated = _arenasAllocated,
                ArenasReleased = _arenasReleased,
                ArenasCurrent = _arenasCurrent,
                ArenasHighWater = _arenasHighWater,
                FreePools = freePools,
                AbandonedPools = _abandonedPoolCount,
                ThreadHeaps = _allThreadHeaps.Count - _idleThreadHeaps.Count,
                BytesReserved = ReservedBytes,
                BytesInUse = bytesInUse,
                BytesInFreeBlocks = bytesInFreeBlocks,
                BytesInFreePools = freePools * HeapGeometry.PoolSize,
                BytesInPoolOverhead = poolsInUse * HeapGeometry.PoolSize - (bytesInUse - _largeObjectBytes) - bytesInFreeBlocks,
                LargeObjectCount = _largeObjectCount,
                LargeObjectBytes = _largeObjectBytes,
                MaxReservedBytes = _maxReservedBytes,
                Allocations = allocations,
                Frees = frees,
                LargeObjectBytesAllocated = LargeObjects.BytesRegisteredBy(Id),
                RegisteredTypes = TypeRegistry.Snapshot(),
                DebugEnabled = _debug,
                LiveTypes = debug?.Types ?? [],
                BytesLostToPadding = debug?.Padding,
                BytesInDebugGuards = debug?.Guards,
            };
        }
    }
}

using System;
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
            for (int c = 0; c < SizeClass.Count; c++)
            {
                long allocated = 0;
                long freed = 0;
                foreach (nint threadHeap in _allThreadHeaps)
                {
                    allocated += Volatile.Read(ref ((ThreadHeap*)threadHeap)->Allocations[c]);
                    freed += Volatile.Read(ref ((ThreadHeap*)threadHeap)->Frees[c]);
                }

                if (_debugOwner != null)
                {
                    // A debug heap's raw blocks: those in the quarantine are freed as far as the user is concerned.
                    allocated += _debugOwner->Allocations[c];
                    freed += _debugOwner->Frees[c] + quarantined![c];
                }

                long blocks = allocated - freed;
                long free = Math.Max(0, _blockCapacity[c] - blocks);
                int blockSize = SizeClass.BlockSize(c);
                classes[c] = new SizeClassStatistics(c, blockSize, _poolsInUse[c], blocks, free) { Allocations = allocated, Frees = freed };
                bytesInUse += blocks * blockSize;
                bytesInFreeBlocks += free * blockSize;
                poolsInUse += _poolsInUse[c];
                allocations += allocated;
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

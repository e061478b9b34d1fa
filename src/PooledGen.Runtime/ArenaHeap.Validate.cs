using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace PooledGen;

// The heap walker (mimalloc's mi_heap_is_valid / _mi_page_is_valid): checks every invariant stated in Headers.cs and
// at the top of ArenaHeap.cs, and names the first one broken. Tests call it after every step of the model-based
// tests and at quiescent points of the stress tests; it is never called on a user's path.
public sealed unsafe partial class ArenaHeap
{
    /// <summary>
    /// Walks the whole heap (every arena, pool, list and thread heap) and throws <see cref="InvariantViolationException"/>
    /// naming the first invariant that does not hold. Call it only when no thread allocates from or frees into this
    /// heap: it reads other threads' pools.
    /// </summary>
    internal void Validate()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            var walk = new HeapWalk();
            ValidateArenas(walk);
            ValidateThreadHeaps(walk);
            if (_debugOwner != null)
            {
                Expect(_debugOwner->HeapId == -Id, $"the debug block owner belongs to heap {_debugOwner->HeapId}, not {-Id}");
                ValidateThreadHeap(walk, _debugOwner, "the debug block owner");
            }

            for (int c = 0; c < SizeClass.Count; c++)
            {
                long abandoned = ValidatePoolList(walk, _abandonedPools[c], c, ThreadHeap.Detached, PoolState.Abandoned, "the abandoned list");
                walk.Abandoned += abandoned;
            }

            Expect(walk.Abandoned == _abandonedPoolCount, $"the heap counts {_abandonedPoolCount} abandoned pools but {walk.Abandoned} are on its abandoned lists");
            foreach ((nint arenaBase, int poolsInUse) in walk.PoolsInUseByArena)
            {
                var arena = Arena.Of((void*)arenaBase);
                Expect(poolsInUse == HeapGeometry.PoolsPerArena - arena->FreePools,
                    $"arena 0x{arenaBase:X} has {HeapGeometry.PoolsPerArena - arena->FreePools} pools in use but {poolsInUse} are on thread heaps' or the abandoned lists");
            }

            ValidateCounters(walk);
        }
    }

    private void ValidateArenas(HeapWalk walk)
    {
        long arenas = 0;
        for (int n = 0; n <= HeapGeometry.PoolsPerArena; n++)
        {
            Arena* previous = null;
            for (Arena* arena = _arenasByFreePools[n]; arena != null; arena = arena->Next)
            {
                string name = $"arena 0x{(nuint)arena->Base:X}";
                Expect(++arenas <= _arenasCurrent, $"the arena buckets hold more arenas than the {_arenasCurrent} the heap counts (a cycle?)");
                Expect(arena->Prev == previous, $"{name}: its Prev link does not point at the arena before it in bucket {n}");
                Expect(((nuint)arena->Base & ~HeapGeometry.ArenaMask) == 0 && Arena.Of(arena->Base) == arena, $"{name}: not aligned to the arena size, or its header is not where masking puts it");
                Expect(ArenaRegistry.Contains((nuint)arena->Base), $"{name}: not in the arena registry");
                Expect(arena->HeapId == Id, $"{name}: owned by heap {arena->HeapId}, not {Id}");
                Expect(arena->IsDebug == _debug, $"{name}: IsDebug is {arena->IsDebug} on a heap whose debug mode is {_debug}");
                Expect(arena->FreePools == n, $"{name}: in bucket {n} but has {arena->FreePools} free pools");
                Expect(arena->CarvedPools >= 0 && arena->CarvedPools <= HeapGeometry.PoolsPerArena, $"{name}: {arena->CarvedPools} carved pools of {HeapGeometry.PoolsPerArena}");
                ValidateArenaMaps(arena, name, PurgeDelayMilliseconds);
                // With a delay, an arena with something to purge waits on the purge list (one whose waiting pools were
                // reused since may stay on it: the purge then finds nothing to do); with none, or never, no arena is on it.
                bool hasSomethingToPurge = arena->WaitingPools > 0 || arena->FreePools == HeapGeometry.PoolsPerArena;
                Expect(PurgeDelayMilliseconds > 0 ? !hasSomethingToPurge || arena->OnPurgeList : !arena->OnPurgeList,
                    $"{name}: on the purge list is {arena->OnPurgeList}, with {arena->WaitingPools} pools waiting and {arena->FreePools} free, and a purge delay of {PurgeDelayMilliseconds} ms");
                walk.PoolsInUseByArena[(nint)arena->Base] = 0;
                previous = arena;
            }
        }

        Expect(arenas == _arenasCurrent, $"the heap counts {_arenasCurrent} arenas but its buckets hold {arenas}");
        long onPurgeList = 0;
        for (Arena* arena = _purgeList; arena != null; arena = arena->PurgeNext)
        {
            Expect(++onPurgeList <= arenas && arena->OnPurgeList, $"the purge list holds arena 0x{(nuint)arena->Base:X}, which is not marked as on it (or the list has a cycle)");
        }
    }

    private static void ValidateArenaMaps(Arena* arena, string name, long purgeDelay)
    {
        int free = 0;
        int waiting = 0;
        for (int i = 0; i < HeapGeometry.PoolsPerArena; i++)
        {
            bool isFree = Arena.Has(Arena.FreeMap(arena), i);
            bool isWaiting = Arena.Has(Arena.WaitingMap(arena), i);
            Pool* pool = Arena.PoolAt(arena, i);
            Expect(!isWaiting || (isFree && i < arena->CarvedPools), $"{name}: pool {i} waits for the purge but is not a free carved pool");
            Expect(isFree || i < arena->CarvedPools, $"{name}: pool {i} is in use but was never carved");
            Expect(!isWaiting || (pool->State == PoolState.InArena && pool->Owner == ThreadHeap.Detached),
                $"{name}: waiting pool {i} is {pool->State}, owned by 0x{(nuint)pool->Owner:X}");

            // Each waiting pool is looked at when its own delay has passed, not later (the deadline is the oldest's).
            Expect(!isWaiting || purgeDelay <= 0 || (arena->OnPurgeList && arena->PurgeDeadline <= pool->ReturnedAt + purgeDelay),
                $"{name}: waiting pool {i} came back at {pool->ReturnedAt} but the arena's purge deadline is {arena->PurgeDeadline} (delay {purgeDelay} ms)");
            free += isFree ? 1 : 0;
            waiting += isWaiting ? 1 : 0;
        }

        Expect(free == arena->FreePools, $"{name}: counts {arena->FreePools} free pools but its map has {free}");
        Expect(waiting == arena->WaitingPools, $"{name}: counts {arena->WaitingPools} pools waiting for the purge but its map has {waiting}");
    }

    private void ValidateThreadHeaps(HeapWalk walk)
    {
        var all = new HashSet<nint>(_allThreadHeaps);
        Expect(all.Count == _allThreadHeaps.Count, "a thread heap is listed twice");
        var idle = new HashSet<nint>(_idleThreadHeaps);
        Expect(idle.Count == _idleThreadHeaps.Count && idle.IsSubsetOf(all), "the idle thread heaps are not distinct members of the heap's thread heaps");
        foreach (nint address in _allThreadHeaps)
        {
            var threadHeap = (ThreadHeap*)address;
            string name = $"thread heap 0x{address:X}";
            Expect(threadHeap->HeapId == Id, $"{name}: belongs to heap {threadHeap->HeapId}, not {Id}");
            Expect(threadHeap->IsAttached != idle.Contains(address), $"{name}: IsAttached is {threadHeap->IsAttached} but it is {(idle.Contains(address) ? "idle" : "in use")}");
            Expect(!_debug || ThreadHeap.OwnsNoPool(threadHeap), $"{name}: a thread heap of a debug heap owns pools (they belong to its block owner)");
            ValidateThreadHeap(walk, threadHeap, name);
            Expect(!idle.Contains(address) || ThreadHeap.OwnsNoPool(threadHeap), $"{name}: idle but still owns pools");
        }
    }

    private void ValidateThreadHeap(HeapWalk walk, ThreadHeap* threadHeap, string name)
    {
        for (int c = 0; c < SizeClass.Count; c++)
        {
            walk.Allocations[c] += threadHeap->Allocations[c];
            walk.WaitingByCounters[c] += threadHeap->RemoteFrees[c] - threadHeap->Collected[c];
            Pool* current = ThreadHeap.Current(threadHeap, c);
            if (current != EmptyPool.Instance)
            {
                ValidatePool(walk, current, c, threadHeap, PoolState.Current, $"{name}'s current pool of class {c}");
            }

            ValidatePoolList(walk, ThreadHeap.Partial(threadHeap, c), c, threadHeap, PoolState.Partial, $"{name}'s partial list of class {c}");
            ValidatePoolList(walk, ThreadHeap.Full(threadHeap, c), c, threadHeap, PoolState.Full, $"{name}'s full list of class {c}");
        }

        int cached = 0;
        for (Pool* pool = threadHeap->CachedPools; pool != null; pool = pool->Next)
        {
            Expect(++cached <= MaxCachedPools, $"{name}: more than {MaxCachedPools} cached pools (a cycle?)");
            ValidatePool(walk, pool, pool->SizeClass, threadHeap, PoolState.Cached, $"{name}'s cached pools");
            Expect(pool->Used == 0, $"{name}: cached pool 0x{(nuint)pool:X} has {pool->Used} blocks in use");
        }

        Expect(cached == threadHeap->CachedPoolCount, $"{name}: counts {threadHeap->CachedPoolCount} cached pools but {cached} are on its list");
    }

    private long ValidatePoolList(HeapWalk walk, Pool* head, int sizeClass, ThreadHeap* owner, PoolState state, string list)
    {
        long count = 0;
        Pool* previous = null;
        for (Pool* pool = head; pool != null; pool = pool->Next)
        {
            Expect(pool->Prev == previous, $"{list}: pool 0x{(nuint)pool:X}'s Prev link does not point at the pool before it");
            ValidatePool(walk, pool, sizeClass, owner, state, list);
            previous = pool;
            count++;
        }

        return count;
    }

    private void ValidatePool(HeapWalk walk, Pool* pool, int sizeClass, ThreadHeap* owner, PoolState state, string where)
    {
        string name = $"pool 0x{(nuint)pool:X} on {where}";
        nint arenaBase = (nint)((nuint)pool & HeapGeometry.ArenaMask);
        Expect(walk.PoolsInUseByArena.TryGetValue(arenaBase, out int inArena), $"{name}: not in an arena of this heap");
        Expect(walk.Pools.Add((nint)pool), $"{name}: the pool is on more than one list, or twice on one (a cycle?)");
        walk.PoolsInUseByArena[arenaBase] = inArena + 1;
        Arena* arena = Arena.Of(pool);
        Expect(Arena.PoolIndex(arena, pool) < arena->CarvedPools, $"{name}: its arena never carved it");
        Expect(!Arena.Has(Arena.FreeMap(arena), Arena.PoolIndex(arena, pool)), $"{name}: its arena counts it as free");
        Expect(pool->State == state, $"{name}: State is {pool->State}, expected {state}");
        int attentionAt = state switch { PoolState.Partial => 0, PoolState.Full => pool->Capacity - Pool.UnfullMargin(pool->Capacity), _ => -1 };
        Expect(pool->AttentionAt == attentionAt, $"{name}: AttentionAt is {pool->AttentionAt}, expected {attentionAt} for a {state} pool");
        Expect(pool->Owner == owner, $"{name}: owned by 0x{(nuint)pool->Owner:X}, expected 0x{(nuint)owner:X}");
        Expect(pool->SizeClass == sizeClass, $"{name}: serves class {pool->SizeClass}, expected {sizeClass}");
        int heapId = owner == _debugOwner && owner != null ? -Id : Id;
        Expect(pool->HeapId == heapId, $"{name}: carries heap id {pool->HeapId}, expected {heapId}");
        int blockSize = SizeClass.BlockSize(sizeClass);
        int firstOffset = Arena.FirstBlockOffset(arena, pool);
        int capacity = (HeapGeometry.PoolSize - firstOffset) / blockSize;
        Expect(pool->BlockSize == blockSize && pool->FirstOffset == firstOffset && pool->Capacity == capacity
            && pool->LastOffset == firstOffset + (capacity - 1) * blockSize && pool->CarveLimit == pool->LastOffset,
            $"{name}: geometry (block {pool->BlockSize}, first {pool->FirstOffset}, capacity {pool->Capacity}, last {pool->LastOffset}) is not that of class {sizeClass}");
        Expect(pool->BlockReciprocal == (1UL << 32) / (ulong)(sizeClass + 1) + 1, $"{name}: its block reciprocal {pool->BlockReciprocal} is not that of class {sizeClass}");
        Expect(pool->NextOffset >= firstOffset && pool->NextOffset <= pool->LastOffset + blockSize && (pool->NextOffset - firstOffset) % blockSize == 0,
            $"{name}: NextOffset {pool->NextOffset} is not a block boundary within the pool");
        int carved = (pool->NextOffset - firstOffset) / blockSize;
        var blocks = new HashSet<nint>();
        int free = ValidateBlockList(pool, pool->Free, blocks, name, "free list");
        int threadFree = ValidateBlockList(pool, (byte*)pool->ThreadFree, blocks, name, "thread-free list");
        Expect(pool->Used == carved - free, $"{name}: Used is {pool->Used} but {carved} blocks are carved and {free} are on its free list");
        Expect(pool->Used - threadFree >= 0, $"{name}: {threadFree} blocks wait on its thread-free list but only {pool->Used} are in use");
        walk.PoolCount[sizeClass]++;
        walk.Capacity[sizeClass] += capacity;
        walk.BlocksInUse[sizeClass] += pool->Used - threadFree;
        walk.WaitingOnThreadFreeLists[sizeClass] += threadFree;
    }

    private static int ValidateBlockList(Pool* pool, byte* head, HashSet<nint> blocks, string name, string list)
    {
        int count = 0;
        for (byte* block = head; block != null; block = *(byte**)block)
        {
            Expect(Pool.Of(block) == pool && Pool.IsBlockStart(pool, block),
                $"{name}: its {list} holds 0x{(nuint)block:X}, which is not the start of a carved block of the pool");
            Expect(blocks.Add((nint)block), $"{name}: block 0x{(nuint)block:X} is on its {list} twice, or on both lists (a cycle?)");
            count++;
        }

        return count;
    }

    private void ValidateCounters(HeapWalk walk)
    {
        for (int c = 0; c < SizeClass.Count; c++)
        {
            Expect(walk.PoolCount[c] == _poolsInUse[c], $"class {c}: the heap counts {_poolsInUse[c]} pools in use but {walk.PoolCount[c]} are on lists");
            Expect(walk.Capacity[c] == _blockCapacity[c], $"class {c}: the heap counts {_blockCapacity[c]} blocks of capacity but its pools hold {walk.Capacity[c]}");
            long waiting = walk.WaitingByCounters[c] - _collectedFromAbandonedPools[c];
            Expect(waiting == walk.WaitingOnThreadFreeLists[c],
                $"class {c}: the counters say {waiting} blocks freed by other threads wait on thread-free lists but the pools' lists hold {walk.WaitingOnThreadFreeLists[c]}");
            Expect(walk.Allocations[c] >= walk.BlocksInUse[c],
                $"class {c}: the thread heaps count {walk.Allocations[c]} allocations but the pools hold {walk.BlocksInUse[c]} blocks in use");
        }

        (long count, long bytes) = LargeObjects.Summarize(Id);
        Expect(count == _largeObjectCount && bytes == _largeObjectBytes,
            $"the heap counts {_largeObjectCount} large blocks of {_largeObjectBytes} bytes but {count} of {bytes} bytes are recorded");
    }

    private static void Expect(bool holds, string invariant)
    {
        if (!holds)
        {
            throw new InvariantViolationException("PooledGen heap invariant broken: " + invariant + ".");
        }
    }

    // The walk checks millions of facts: the message is formatted only for the one that fails.
    private static void Expect(bool holds, [InterpolatedStringHandlerArgument(nameof(holds))] ref InvariantMessage invariant)
    {
        if (!holds)
        {
            Expect(holds, invariant.ToStringAndClear());
        }
    }

    /// <summary>What a walk of the heap has seen so far.</summary>
    private sealed class HeapWalk
    {
        public readonly Dictionary<nint, int> PoolsInUseByArena = new();
        public readonly HashSet<nint> Pools = new();
        public readonly long[] PoolCount = new long[SizeClass.Count];
        public readonly long[] Capacity = new long[SizeClass.Count];
        public readonly long[] BlocksInUse = new long[SizeClass.Count];
        public readonly long[] Allocations = new long[SizeClass.Count];
        public readonly long[] WaitingByCounters = new long[SizeClass.Count];
        public readonly long[] WaitingOnThreadFreeLists = new long[SizeClass.Count];
        public long Abandoned;
    }
}

/// <summary>Thrown by <c>ArenaHeap.Validate()</c> when an invariant of the heap does not hold.</summary>
internal sealed class InvariantViolationException(string message) : Exception(message);

/// <summary>An invariant's message, formatted only when the invariant does not hold (as Debug.Assert's handler does).</summary>
[InterpolatedStringHandler]
internal ref struct InvariantMessage
{
    private DefaultInterpolatedStringHandler _text;

    public InvariantMessage(int literalLength, int formattedCount, bool holds, out bool shouldAppend)
    {
        shouldAppend = !holds;
        _text = holds ? default : new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture);
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);

    public string ToStringAndClear() => _text.ToStringAndClear();
}

using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PooledGen;

/// <summary>
/// A heap of arenas, pools and blocks (see the picture at the top of <c>PooledHeap.cs</c>) with a thread heap per
/// thread. <see cref="PooledHeap"/> is the process-wide one; create an <see cref="ArenaHeap"/> of your own to keep
/// a subsystem's memory and statistics apart, or to release all of it at once with <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// Any thread may allocate and free; a block may be freed on a thread other than the one that allocated it, and
/// through any entry point (<see cref="PooledHeap"/> or another heap): it always goes back to the heap that owns
/// its arena. Arena and pool sizes are process-wide (<see cref="PooledHeap.Configure(PooledHeapOptions)"/>).
/// </remarks>
/// <example>
/// <code>
/// using var heap = new ArenaHeap();
/// Pooled&lt;Particle&gt; p = heap.Alloc&lt;Particle&gt;();
/// heap.Free(p);
/// </code>
/// </example>
public sealed unsafe partial class ArenaHeap : IDisposable
{
    /// <summary>The calling thread's part of the shared heap: one thread-static read on the fast path.</summary>
    [ThreadStatic]
    internal static ThreadHeap* t_sharedThreadHeap;

    // Keeps the shared thread heap's lease alive exactly as long as the thread.
    [ThreadStatic]
    private static ThreadHeapLease? t_sharedLease;

    // Guards arenas, the abandoned pools, the thread-heap lists and the counters below. Never taken on a fast path.
    private readonly object _lock = new();
    private readonly bool _isShared;

    // Debug mode for this heap (see ArenaHeap.Debug.cs): tested only at the entry points of a private heap, beside
    // _isShared; the shared heap's entry points test DebugMode.Enabled, a static readonly the JIT folds away.
    private readonly bool _debug;

    // The live blocks of a debug heap, with their allocation sites; null in release mode.
    private readonly DebugBlocks? _debugBlocks;
    // Not readonly: Dispose swaps it for s_noThreadHeaps, so that a disposed heap's fast path finds no thread heap,
    // falls to the slow path and its ThrowIfDisposed names the heap (a disposed ThreadLocal would name itself).
    private ThreadLocal<ThreadHeapLease>? _threadHeaps;

    // Never given a value: what a disposed private heap reads its thread heaps from.
    private static readonly ThreadLocal<ThreadHeapLease> s_noThreadHeaps = new();
    private readonly long _maxReservedBytes;

    // Usable arenas by number of free pools (CPython's usable_arenas, bucketed): index n lists the arenas with n
    // free pools. Index 0 holds full arenas, index PoolsPerArena empty ones. Pools are taken from the lowest
    // non-empty index >= 1, the fullest arenas, so that lightly used arenas drain and can be returned.
    private readonly Arena** _arenasByFreePools;

    // Per size class, pools whose thread exited while they held blocks.
    private readonly Pool** _abandonedPools;
    private readonly List<nint> _allThreadHeaps = new();
    private readonly Stack<nint> _idleThreadHeaps = new();
    private readonly long[] _poolsInUse = new long[SizeClass.Count];
    private readonly long[] _blockCapacity = new long[SizeClass.Count];
    private long _arenasAllocated;
    private long _arenasReleased;
    private long _arenasCurrent;
    private long _arenasHighWater;
    private long _abandonedPoolCount;
    private long _largeObjectCount;
    private long _largeObjectBytes;
    private long _largeObjectAllocations;
    private long _largeObjectFrees;
    private bool _disposed;

    /// <summary>Creates a heap with no cap on the memory it reserves, in debug mode when the process is (see <see cref="IsDebugEnabled"/>).</summary>
    public ArenaHeap()
        : this(0, isShared: false, debug: false)
    {
    }

    /// <summary>Creates a heap that reserves at most <paramref name="maxReservedBytes"/> bytes (arenas and large objects).</summary>
    /// <param name="maxReservedBytes">The cap in bytes; 0 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxReservedBytes"/> is negative.</exception>
    public ArenaHeap(long maxReservedBytes)
        : this(maxReservedBytes, isShared: false, debug: false)
    {
    }

    /// <summary>
    /// Creates a heap that reserves at most <paramref name="maxReservedBytes"/> bytes, in debug mode when
    /// <paramref name="debug"/> is true (or when the process is: <c>POOLEDGEN_DEBUG=1</c> or the AppContext switch
    /// <c>PooledGen.Debug</c>). A debug heap puts guard bytes around every block and checks them on free, fills freed
    /// blocks with 0xDD, refuses double frees, detects use of a freed <see cref="Pooled{T}"/> handle and records where
    /// each live block was allocated (<see cref="GetLiveAllocations"/>); it is many times slower than a release heap.
    /// </summary>
    /// <param name="maxReservedBytes">The cap in bytes; 0 for none.</param>
    /// <param name="debug">True for debug mode whatever the process-wide switch says.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxReservedBytes"/> is negative.</exception>
    /// <example>
    /// <code>
    /// using var heap = new ArenaHeap(0, debug: true);
    /// Pooled&lt;Particle&gt; p = heap.Alloc&lt;Particle&gt;();
    /// heap.WriteLeakReport(Console.Out);   // lists p with the method that allocated it
    /// </code>
    /// </example>
    public ArenaHeap(long maxReservedBytes, bool debug)
        : this(maxReservedBytes, isShared: false, debug)
    {
    }

    internal ArenaHeap(long maxReservedBytes, bool isShared, bool debug)
    {
        if (maxReservedBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxReservedBytes), maxReservedBytes,
                "PooledGen: the cap on reserved bytes must be 0 (no cap) or a positive number of bytes.");
        }

        // Fix the process-wide sizes here rather than in HeapGeometry's type initialiser, so that a bad switch
        // surfaces as its own clear exception (and again on the next try), not as a TypeInitializationException.
        StartupConfiguration.Freeze();
        _maxReservedBytes = maxReservedBytes;
        _isShared = isShared;
        _debug = debug || DebugMode.Enabled;
        _debugBlocks = _debug ? new DebugBlocks() : null;
        _threadHeaps = isShared ? null : new ThreadLocal<ThreadHeapLease>();
        _arenasByFreePools = (Arena**)NativeMemory.AllocZeroed((nuint)(HeapGeometry.PoolsPerArena + 1), (nuint)sizeof(Arena*));
        _abandonedPools = (Pool**)NativeMemory.AllocZeroed(SizeClass.Count, (nuint)sizeof(Pool*));
        Id = HeapRegistry.Add(this);
        PooledGenMetrics.EnsureCreated();
    }

    /// <summary>This heap's id, stored in each of its arenas.</summary>
    internal int Id { get; }

    /// <summary>How reports and metrics name this heap: <c>shared</c>, or <c>heap-</c> and its id.</summary>
    internal string Name => _isShared ? "shared" : "heap-" + Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// True when this heap runs in debug mode: it was created with <c>debug: true</c>, or the process was started with
    /// <c>POOLEDGEN_DEBUG=1</c> or the AppContext switch <c>PooledGen.Debug</c> set.
    /// </summary>
    public bool IsDebugEnabled => _debug;

    /// <summary>Allocates a zeroed <typeparamref name="T"/> from this heap.</summary>
    /// <typeparam name="T">The struct to allocate.</typeparam>
    /// <returns>A handle to the new struct, which holds <c>default(T)</c>.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the cap, refused the memory.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Pooled<T> Alloc<T>() where T : unmanaged
    {
        if (_debug)
        {
            return AllocDebug<T>();
        }

        var pointer = (T*)AllocateBlock<T>();
        *pointer = default;
        return new Pooled<T>(pointer, 0);
    }

    /// <summary>Allocates a <typeparamref name="T"/> from this heap holding a copy of <paramref name="value"/>.</summary>
    /// <typeparam name="T">The struct to allocate.</typeparam>
    /// <param name="value">The value to copy into the block.</param>
    /// <returns>A handle to the new struct.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the cap, refused the memory.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Pooled<T> Alloc<T>(in T value) where T : unmanaged
    {
        if (_debug)
        {
            return AllocDebug(value);
        }

        var pointer = (T*)AllocateBlock<T>();
        *pointer = value;
        return new Pooled<T>(pointer, 0);
    }

    /// <summary>Frees the block behind <paramref name="item"/>, on any thread. Freeing <see cref="Pooled{T}.Null"/> does nothing.</summary>
    /// <typeparam name="T">The struct in the block.</typeparam>
    /// <param name="item">A handle from any PooledGen heap, freed exactly once.</param>
    /// <exception cref="PoolCorruptionException">Debug mode: a guard byte around the block was overwritten; nothing was freed.</exception>
    /// <exception cref="ObjectDisposedException">Debug mode: the block was already freed (a double free, or a stale handle); nothing was freed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free<T>(Pooled<T> item) where T : unmanaged
    {
        if (!item.IsNull)
        {
            // Also a debug heap's handle (stamped) of a type it put on the large path: the pool fast path must not read it.
            if (_debug || (BlockLayout<T>.IsLargeInDebugOnly && item.Stamp != 0))
            {
                FreeDebug(item.Pointer, item.Stamp, typeof(T));
                return;
            }

            FreeBlock<T>(CurrentThreadHeapOrNull(), item.Pointer);
        }
    }

    /// <summary>Allocates <paramref name="size"/> zeroed bytes, at least 16-byte aligned, from this heap.</summary>
    /// <param name="size">The number of bytes; 0 gives a unique 16-byte block.</param>
    /// <returns>The block; free it with <see cref="Free(void*)"/>.</returns>
    /// <exception cref="OutOfMemoryException">The operating system, or the cap, refused the memory.</exception>
    public void* Allocate(nuint size) =>
        _debug ? AllocateDebug(size, SizeClass.Spacing, null, out _) : AllocateUntyped(CurrentThreadHeapOrNull(), size, this);

    /// <summary>Frees a block from <see cref="Allocate(nuint)"/> (of any PooledGen heap). A null pointer is ignored.</summary>
    /// <param name="pointer">The block.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="pointer"/> was not handed out by PooledGen, or points inside a block rather than at its start;
    /// nothing is freed and the heap is unchanged.
    /// </exception>
    /// <exception cref="PoolCorruptionException">Debug mode: a guard byte around the block was overwritten; nothing was freed.</exception>
    /// <exception cref="ObjectDisposedException">Debug mode: the block was already freed; nothing was freed.</exception>
    public void Free(void* pointer)
    {
        if (_debug)
        {
            FreeDebug(pointer, 0, null);
            return;
        }

        FreeUntyped(CurrentThreadHeapOrNull(), pointer);
    }

    /// <summary>Takes a snapshot of this heap's statistics. Allocating threads are not stopped.</summary>
    /// <returns>The snapshot.</returns>
    public PooledHeapStatistics GetStatistics()
    {
        // The debug figures come from the live-block records, under their own lock, never nested in the heap's.
        (PooledTypeStatistics[] Types, long Padding, long Guards)? debug = _debugBlocks?.Summarize();
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
            return new PooledHeapStatistics
            {
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

    /// <summary>
    /// Gives memory back now: the calling thread's empty pools and every empty abandoned pool return to their
    /// arenas, and every arena with no pool in use (the spare included) returns to the operating system. Other
    /// threads are asked to release their empty pools at their next slow path.
    /// </summary>
    /// <returns>The bytes returned to the operating system.</returns>
    public long Trim()
    {
        ThreadHeap* self = CurrentThreadHeapOrNull();
        lock (_lock)
        {
            ThrowIfDisposed();
            long releasedBefore = _arenasReleased;
            if (self != null)
            {
                ReleaseEmptyPools(self);
            }

            foreach (nint threadHeap in _allThreadHeaps)
            {
                if ((ThreadHeap*)threadHeap != self)
                {
                    ((ThreadHeap*)threadHeap)->TrimRequested = 1;
                }
            }

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

            Arena** empty = &_arenasByFreePools[HeapGeometry.PoolsPerArena];
            while (*empty != null)
            {
                ReleaseArena(*empty);
            }

            return (_arenasReleased - releasedBefore) * HeapGeometry.ArenaSize;
        }
    }

    /// <summary>
    /// Returns every arena and large block of this heap to the operating system. Every block it handed out becomes
    /// invalid; later calls on this heap throw <see cref="ObjectDisposedException"/>. Call it once no thread uses the
    /// heap any more: a heap that is never disposed keeps its memory (the heap registry keeps it reachable).
    /// </summary>
    public void Dispose()
    {
        ThreadLocal<ThreadHeapLease>? threadHeaps = _threadHeaps;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (threadHeaps is not null)
            {
                _threadHeaps = s_noThreadHeaps;
            }

            for (int n = 0; n <= HeapGeometry.PoolsPerArena; n++)
            {
                while (_arenasByFreePools[n] != null)
                {
                    ReleaseArena(_arenasByFreePools[n]);
                }
            }

            foreach (nint threadHeap in _allThreadHeaps)
            {
                NativeMemory.AlignedFree((void*)threadHeap);
            }

            _allThreadHeaps.Clear();
            _idleThreadHeaps.Clear();
            NativeMemory.Free(_arenasByFreePools);
            NativeMemory.Free(_abandonedPools);
        }

        threadHeaps?.Dispose();
        LargeObjects.FreeAllOf(Id);
        HeapRegistry.Remove(Id);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Fast paths, shared by this class and the PooledHeap facade: they differ only in how they find the thread heap.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Pops a block of class <paramref name="sizeClass"/> from the thread heap's current pool: no lock, no atomic,
    /// no allocation. Falls back to <see cref="AllocateSlow"/> when the pool's free list is empty (or when the thread
    /// has no thread heap yet). <paramref name="heap"/> null means the shared heap. Debug mode never comes here: the
    /// entry points send it to <c>AllocateDebug</c> first, so this path has no debug test at all.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte* AllocateSmall(ThreadHeap* threadHeap, int sizeClass, ArenaHeap? heap)
    {
        if (threadHeap != null)
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
                // its never-used blocks at the cost of a pop. The empty pool's NextOffset is past its LastOffset.
                int next = pool->NextOffset;
                if (next > pool->LastOffset)
                {
                    return AllocateSlow(sizeClass, heap);
                }

                block = (byte*)pool + next;
                pool->NextOffset = next + SizeClass.BlockSize(sizeClass);
            }

            pool->Used++;
            threadHeap->Allocations[sizeClass]++;
            return block;
        }

        return AllocateSlow(sizeClass, heap);
    }

    /// <summary>
    /// Pushes a block back on its pool's free list when the calling thread owns the pool (a pool's owner is never
    /// null, so a thread without a thread heap falls through). Any other case goes to <see cref="FreeSlow"/>, and so
    /// does every block of a debug heap: its pools are owned by its own thread heaps, which release entry points never use.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void FreeSmall(ThreadHeap* threadHeap, byte* block) => FreeSmall(threadHeap, block, -1);

    /// <summary>
    /// <see cref="FreeSmall(ThreadHeap*, byte*)"/> for a block of class <paramref name="knownClass"/> (a JIT constant
    /// on the typed path, which saves reading it from the pool header), or -1 when the class is not known.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void FreeSmall(ThreadHeap* threadHeap, byte* block, int knownClass)
    {
        Pool* pool = Pool.Of(block);
        ThreadHeap* owner = pool->Owner;
        if (owner == threadHeap)
        {
            *(byte**)block = pool->Free;
            pool->Free = block;
            int used = --pool->Used;
            threadHeap->Frees[knownClass >= 0 ? knownClass : pool->SizeClass]++;
            if (used == 0 || pool->State == PoolState.Full)
            {
                OnLocalFreeNeedsAttention(threadHeap, pool);
            }

            return;
        }

        FreeRemote(threadHeap, owner, block);
    }

    /// <summary>
    /// A block whose pool the calling thread does not own. When another thread of the same heap owns it (the
    /// producer/consumer case), push it on the pool's thread-free list here, without looking the heap up; anything
    /// else (no thread heap yet, an abandoned or detached pool, another heap's block) goes to <see cref="FreeSlow"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FreeRemote(ThreadHeap* threadHeap, ThreadHeap* owner, byte* block)
    {
        // Detached has heap id 0, which no heap has; a debug heap's pools are owned by its own thread heaps only.
        if (threadHeap != null && owner->HeapId == threadHeap->HeapId)
        {
            Pool* pool = Pool.Of(block);
            int sizeClass = pool->SizeClass;
            Pool.PushThreadFree(pool, block);
            threadHeap->Frees[sizeClass]++;

            // Written only when clear, so that the owner's hint line is not dirtied on every remote free.
            ref int hint = ref owner->RemoteFreeHint[sizeClass];
            if (Volatile.Read(ref hint) == 0)
            {
                Volatile.Write(ref hint, 1);
            }

            return;
        }

        FreeSlow(block);
    }

    /// <summary>The typed allocation path: the size class, and whether to take the large path, are JIT constants.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void* AllocateBlock<T>(ThreadHeap* threadHeap, ArenaHeap? heap) where T : unmanaged =>
        BlockLayout<T>.IsLarge
            ? (heap ?? PooledHeap.Shared).AllocateLarge((nuint)sizeof(T), BlockLayout<T>.LargeAlignment)
            : AllocateSmall(threadHeap, BlockLayout<T>.Class, heap);

    /// <summary>The typed free path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void FreeBlock<T>(ThreadHeap* threadHeap, T* pointer) where T : unmanaged
    {
        if (BlockLayout<T>.IsLarge)
        {
            LargeObjects.Free(pointer);
        }
        else
        {
            FreeSmall(threadHeap, (byte*)pointer, BlockLayout<T>.Class);
        }
    }

    /// <summary>The untyped allocation path.</summary>
    internal static void* AllocateUntyped(ThreadHeap* threadHeap, nuint size, ArenaHeap? heap)
    {
        if (size > PooledHeap.SmallObjectThreshold)
        {
            void* large = (heap ?? PooledHeap.Shared).AllocateLarge(size, SizeClass.Spacing);
            NativeMemory.Clear(large, size);
            return large;
        }

        byte* block = AllocateSmall(threadHeap, size == 0 ? 0 : SizeClass.Of(size), heap);
        NativeMemory.Clear(block, size);
        return block;
    }

    /// <summary>The untyped free path: the pointer is checked before anything is read through it.</summary>
    internal static void FreeUntyped(ThreadHeap* threadHeap, void* pointer)
    {
        if (pointer == null)
        {
            return;
        }

        if (ArenaRegistry.Contains((nuint)pointer & HeapGeometry.ArenaMask))
        {
            if (Arena.Of(pointer)->IsDebug)
            {
                // A debug heap's block, freed through a release heap: the address is past a guard prefix.
                FreeDebug(pointer, 0, null);
                return;
            }

            CheckIsLiveBlockStart((byte*)pointer);
            FreeSmall(threadHeap, (byte*)pointer);
        }
        else if (!LargeObjects.TryFree(pointer))
        {
            if (LargeObjects.IsDebugBlock(pointer))
            {
                FreeDebug(pointer, 0, null);
                return;
            }

            throw new ArgumentException(
                $"PooledGen: 0x{(nuint)pointer:X} was not allocated by PooledGen, or was already freed (it is in no arena and is no live large block); nothing was freed.",
                nameof(pointer));
        }
    }

    /// <summary>This heap's thread heap for the calling thread, or null when the thread has not used the heap yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ThreadHeap* CurrentThreadHeapOrNull()
    {
        if (_isShared)
        {
            return t_sharedThreadHeap;
        }

        ThreadHeapLease? lease = _threadHeaps!.Value;
        return lease is null ? null : lease.ThreadHeap;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Slow paths.
    // ---------------------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte* AllocateSlow(int sizeClass, ArenaHeap? heap) => (heap ?? PooledHeap.Shared).AllocateFromPools(sizeClass);

    /// <summary>
    /// The complete allocation path (the fast path is only a shortcut into it): the current pool's free list,
    /// then the blocks other threads freed into it, then its never-used blocks; then the next pool with free
    /// blocks; then an abandoned pool; then a new pool from the fullest arena, or a new arena.
    /// </summary>
    private byte* AllocateFromPools(int sizeClass)
    {
        ThreadHeap* threadHeap = CurrentThreadHeap();
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
                byte* block = Pool.TakeBlock(pool);
                if (block != null)
                {
                    threadHeap->Allocations[sizeClass]++;
                    return block;
                }

                // Full: park it where a free (local or remote) can find it again.
                Pool.PushFront(ref ThreadHeap.Full(threadHeap, sizeClass), pool, PoolState.Full);
                current = EmptyPool.Instance;
            }

            current = NextPool(threadHeap, sizeClass);
        }
    }

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
            Pool.Unlink(ref partial, pool);
            pool->State = PoolState.Current;
            return pool;
        }

        lock (_lock)
        {
            ThrowIfDisposed();
            Pool* adopted = AdoptAbandonedPool(threadHeap, sizeClass);
            return adopted != null ? adopted : AcquirePool(threadHeap, sizeClass);
        }
    }

    /// <summary>Other threads freed into this class's pools: move the full ones that got blocks back to the partial list.</summary>
    private static void CollectRemoteFreesOfFullPools(ThreadHeap* threadHeap, int sizeClass)
    {
        Interlocked.Exchange(ref threadHeap->RemoteFreeHint[sizeClass], 0);
        ref Pool* full = ref ThreadHeap.Full(threadHeap, sizeClass);
        Pool* pool = full;
        while (pool != null)
        {
            Pool* next = pool->Next;
            if (Pool.CollectThreadFree(pool) > 0)
            {
                Pool.Unlink(ref full, pool);
                Pool.PushFront(ref ThreadHeap.Partial(threadHeap, sizeClass), pool, PoolState.Partial);
            }

            pool = next;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void OnLocalFreeNeedsAttention(ThreadHeap* threadHeap, Pool* pool) =>
        HeapRegistry.Get(threadHeap->HeapId)!.OnLocalFree(threadHeap, pool);

    /// <summary>
    /// After the owner freed into a pool that was full (it goes back on the partial list) or that is now empty
    /// (it goes back to its arena, unless it is the current pool, kept so that alloc/free pairs do not thrash).
    /// </summary>
    private void OnLocalFree(ThreadHeap* threadHeap, Pool* pool)
    {
        int sizeClass = pool->SizeClass;
        switch (pool->State)
        {
            case PoolState.Full:
                Pool.Unlink(ref ThreadHeap.Full(threadHeap, sizeClass), pool);
                if (pool->Used != 0)
                {
                    Pool.PushFront(ref ThreadHeap.Partial(threadHeap, sizeClass), pool, PoolState.Partial);
                    return;
                }

                break;
            case PoolState.Partial:
                Pool.Unlink(ref ThreadHeap.Partial(threadHeap, sizeClass), pool);
                break;
            default:
                return;
        }

        lock (_lock)
        {
            ReleasePool(pool);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FreeSlow(byte* block)
    {
        ArenaHeap heap = HeapRegistry.Get(Arena.Of(block)->HeapId)
            ?? throw new ObjectDisposedException(nameof(ArenaHeap), "PooledGen: the heap that owns this block was disposed.");
        if (heap._debug)
        {
            // A debug heap's block freed through a release entry point (another heap's): its checks still run.
            heap.FreeDebugBlock(block, 0, null);
            return;
        }

        heap.FreeOnCallingThread(block);
    }

    /// <summary>
    /// Frees a block of this heap from the calling thread: a local free when the thread owns the pool, a free under
    /// the lock when the pool is abandoned, else a lock-free push on the pool's thread-free list for its owner.
    /// </summary>
    private void FreeOnCallingThread(byte* block)
    {
        ThreadHeap* threadHeap = CurrentThreadHeap();
        Pool* pool = Pool.Of(block);
        int sizeClass = pool->SizeClass;
        ThreadHeap* owner = pool->Owner;
        if (owner == ThreadHeap.Detached)
        {
            lock (_lock)
            {
                switch (pool->State)
                {
                    case PoolState.Abandoned:
                        Pool.CollectThreadFree(pool);
                        Pool.PushFree(pool, block);
                        threadHeap->Frees[sizeClass]++;
                        if (pool->Used == 0)
                        {
                            Pool.Unlink(ref _abandonedPools[sizeClass], pool);
                            _abandonedPoolCount--;
                            ReleasePool(pool);
                        }

                        return;
                    case PoolState.InArena:
                        throw new ArgumentException(
                            $"PooledGen: 0x{(nuint)block:X} is in a pool that holds no allocated block (double free?); nothing was freed.",
                            "pointer");
                }

                owner = pool->Owner; // adopted by a thread since it was read
            }
        }

        if (owner == threadHeap)
        {
            Pool.PushFree(pool, block);
            threadHeap->Frees[sizeClass]++;
            if (pool->Used == 0 || pool->State == PoolState.Full)
            {
                OnLocalFree(threadHeap, pool);
            }

            return;
        }

        Pool.PushThreadFree(pool, block);
        threadHeap->Frees[sizeClass]++;

        // The owner may exit meanwhile; then its struct is recycled and the hint is wasted, never harmful.
        Volatile.Write(ref owner->RemoteFreeHint[sizeClass], 1);
    }

    /// <summary>Called by the finalizer of a thread's lease once the thread is gone: its pools become the heap's.</summary>
    internal void Abandon(ThreadHeap* threadHeap)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            for (int c = 0; c < SizeClass.Count; c++)
            {
                Pool* current = ThreadHeap.Current(threadHeap, c);
                if (current != EmptyPool.Instance)
                {
                    AbandonPool(current, c);
                }

                AbandonList(ThreadHeap.Partial(threadHeap, c), c);
                AbandonList(ThreadHeap.Full(threadHeap, c), c);
            }

            ThreadHeap.ResetPools(threadHeap);
            _idleThreadHeaps.Push((nint)threadHeap);
        }
    }

    private void AbandonList(Pool* pool, int sizeClass)
    {
        while (pool != null)
        {
            Pool* next = pool->Next;
            AbandonPool(pool, sizeClass);
            pool = next;
        }
    }

    private void AbandonPool(Pool* pool, int sizeClass)
    {
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

    private Pool* AdoptAbandonedPool(ThreadHeap* threadHeap, int sizeClass)
    {
        Pool* pool = _abandonedPools[sizeClass];
        if (pool == null)
        {
            return null;
        }

        Pool.Unlink(ref _abandonedPools[sizeClass], pool);
        _abandonedPoolCount--;
        Pool.CollectThreadFree(pool);
        pool->State = PoolState.Current;
        pool->Owner = threadHeap;
        return pool;
    }

    /// <summary>Under the lock: returns the owner's empty pools to their arenas (Trim, or a trim request).</summary>
    private void ReleaseEmptyPools(ThreadHeap* threadHeap)
    {
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

            ReleaseEmptyPoolsOfList(threadHeap, ref ThreadHeap.Partial(threadHeap, c), c);
            ReleaseEmptyPoolsOfList(threadHeap, ref ThreadHeap.Full(threadHeap, c), c);
        }
    }

    private void ReleaseEmptyPoolsOfList(ThreadHeap* threadHeap, ref Pool* head, int sizeClass)
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
                Pool.Unlink(ref head, pool);
                Pool.PushFront(ref ThreadHeap.Partial(threadHeap, sizeClass), pool, PoolState.Partial);
            }

            pool = next;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Arenas: everything below runs under _lock.
    // ---------------------------------------------------------------------------------------------------------

    private long ReservedBytes => _arenasCurrent * HeapGeometry.ArenaSize + _largeObjectBytes;

    /// <summary>Takes a pool for <paramref name="sizeClass"/> from the fullest usable arena, or from a new arena.</summary>
    private Pool* AcquirePool(ThreadHeap* threadHeap, int sizeClass)
    {
        Arena* arena = null;
        for (int n = 1; n <= HeapGeometry.PoolsPerArena && arena == null; n++)
        {
            arena = _arenasByFreePools[n];
        }

        if (arena == null)
        {
            arena = NewArena();
        }

        int freePools = arena->FreePools;
        Pool* pool = Arena.TakePool(arena, out int firstOffset);
        MoveArena(arena, freePools);
        Pool.Initialize(pool, sizeClass, firstOffset, threadHeap);
        _poolsInUse[sizeClass]++;
        _blockCapacity[sizeClass] += pool->Capacity;
        return pool;
    }

    /// <summary>Returns an empty pool to its arena; an arena left with no pool in use is freed unless it is the only spare.</summary>
    private void ReleasePool(Pool* pool)
    {
        Arena* arena = Arena.Of(pool);
        _poolsInUse[pool->SizeClass]--;
        _blockCapacity[pool->SizeClass] -= pool->Capacity;
        int freePools = arena->FreePools;
        Arena.ReturnPool(arena, pool);
        MoveArena(arena, freePools);
        if (arena->FreePools == HeapGeometry.PoolsPerArena && arena->Next != null)
        {
            // Another empty arena is already kept as the spare: this one goes back to the operating system.
            ReleaseArena(arena);
        }
    }

    private Arena* NewArena()
    {
        long arenaSize = HeapGeometry.ArenaSize;
        if (_maxReservedBytes > 0 && ReservedBytes + arenaSize > _maxReservedBytes)
        {
            throw new OutOfMemoryException(
                $"PooledGen: a new arena of {arenaSize} bytes would take the heap's reserved memory to {ReservedBytes + arenaSize} bytes, over its cap of {_maxReservedBytes} bytes.");
        }

        // Aligned to its own size: masking any block address gives the arena, and a set lookup tells if it is ours.
        byte* arenaBase = OsMemory.AllocateAligned((nuint)arenaSize);
        var arena = (Arena*)(arenaBase + Pool.HeaderSize);
        *arena = default;
        arena->Base = arenaBase;
        arena->HeapId = Id;
        arena->IsDebug = _debug;
        arena->FreePools = HeapGeometry.PoolsPerArena;
        try
        {
            ArenaRegistry.Add((nuint)arenaBase);
        }
        catch
        {
            // The registry could not grow: give the arena back so the heap is as it was.
            OsMemory.Free(arenaBase, (nuint)arenaSize);
            throw;
        }

        LinkArena(arena);
        _arenasAllocated++;
        _arenasCurrent++;
        _arenasHighWater = Math.Max(_arenasHighWater, _arenasCurrent);
        return arena;
    }

    private void ReleaseArena(Arena* arena)
    {
        UnlinkArena(arena, arena->FreePools);
        ArenaRegistry.Remove((nuint)arena->Base);
        OsMemory.Free(arena->Base, (nuint)HeapGeometry.ArenaSize);
        _arenasCurrent--;
        _arenasReleased++;
    }

    private void MoveArena(Arena* arena, int fromFreePools)
    {
        UnlinkArena(arena, fromFreePools);
        LinkArena(arena);
    }

    private void LinkArena(Arena* arena)
    {
        ref Arena* head = ref _arenasByFreePools[arena->FreePools];
        arena->Prev = null;
        arena->Next = head;
        if (head != null)
        {
            head->Prev = arena;
        }

        head = arena;
    }

    private void UnlinkArena(Arena* arena, int freePools)
    {
        if (arena->Prev != null)
        {
            arena->Prev->Next = arena->Next;
        }
        else
        {
            _arenasByFreePools[freePools] = arena->Next;
        }

        if (arena->Next != null)
        {
            arena->Next->Prev = arena->Prev;
        }

        arena->Next = null;
        arena->Prev = null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Large objects, thread heaps, checks.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Allocates a large block (not zeroed), counted against this heap's cap and statistics. It is recorded under
    /// its address plus <paramref name="debugPrefix"/>, the address a debug heap hands out (0 in release mode).
    /// </summary>
    internal void* AllocateLarge(nuint size, nuint alignment, int debugPrefix = 0)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            ThrowIfLargeBlockCannotFit(size);

            _largeObjectBytes += (long)size;
            _largeObjectCount++;
            _largeObjectAllocations++;
        }

        void* block;
        try
        {
            block = NativeMemory.AlignedAlloc(size, alignment);
        }
        catch (OutOfMemoryException)
        {
            UncountLargeObject(size);
            throw;
        }

        try
        {
            LargeObjects.Register(block, debugPrefix, Id, size);
        }
        catch
        {
            NativeMemory.AlignedFree(block);
            UncountLargeObject(size);
            throw;
        }

        return block;
    }

    /// <summary>
    /// Under the lock: refuses a large block that would pass the cap, or that no address space holds. Compared as
    /// unsigned room left, never as a sum, so a size near <see cref="nuint.MaxValue"/> cannot wrap past the cap.
    /// </summary>
    private void ThrowIfLargeBlockCannotFit(nuint size)
    {
        if (_maxReservedBytes > 0 && (ReservedBytes > _maxReservedBytes || (ulong)size > (ulong)(_maxReservedBytes - ReservedBytes)))
        {
            throw new OutOfMemoryException(
                $"PooledGen: a large block of {size} bytes would take the heap's reserved memory to {(UInt128)(ulong)ReservedBytes + (ulong)size} bytes, over its cap of {_maxReservedBytes} bytes.");
        }

        if ((ulong)size > long.MaxValue)
        {
            throw new OutOfMemoryException(
                $"PooledGen: a large block of {size} bytes is more than any address space holds (the heap has no cap on reserved bytes).");
        }
    }

    /// <summary>Refuses, as <see cref="AllocateLarge"/> would, a request too large to lay out at all.</summary>
    internal void ThrowRequestTooLarge(nuint size)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            ThrowIfLargeBlockCannotFit(size);
        }

        // Under no cap and below long.MaxValue, yet too large for the caller's arithmetic: still no memory for it.
        throw new OutOfMemoryException($"PooledGen: a block of {size} bytes is more than any address space holds.");
    }

    /// <summary>Counts a large block of this heap as freed.</summary>
    internal void OnLargeObjectFreed(nuint size)
    {
        lock (_lock)
        {
            _largeObjectBytes -= (long)size;
            _largeObjectCount--;
            _largeObjectFrees++;
        }
    }

    /// <summary>Takes back the counts of a large block that could not be handed out after all.</summary>
    private void UncountLargeObject(nuint size)
    {
        lock (_lock)
        {
            _largeObjectBytes -= (long)size;
            _largeObjectCount--;
            _largeObjectAllocations--;
        }
    }

    private ThreadHeap* CurrentThreadHeap()
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
            if (_idleThreadHeaps.Count > 0)
            {
                threadHeap = (ThreadHeap*)_idleThreadHeaps.Pop();
            }
            else
            {
                threadHeap = ThreadHeap.Create(Id);
                _allThreadHeaps.Add((nint)threadHeap);
            }
        }

        var lease = new ThreadHeapLease(this, threadHeap);
        if (_isShared)
        {
            t_sharedThreadHeap = threadHeap;
            t_sharedLease = lease;
        }
        else
        {
            _threadHeaps!.Value = lease;
        }

        return threadHeap;
    }

    /// <summary>
    /// Refuses, with a clear message, an address inside an arena that is not the start of a block handed out and
    /// not freed since. Reads only headers of the address's own arena, which the caller has found to be live.
    /// </summary>
    private static void CheckIsLiveBlockStart(byte* address)
    {
        Arena* arena = Arena.Of(address);
        Pool* pool = Pool.Of(address);
        if (Arena.PoolIndex(arena, pool) >= arena->CarvedPools || pool->State == PoolState.InArena)
        {
            throw new ArgumentException(
                $"PooledGen: 0x{(nuint)address:X} is inside a PooledGen arena but in a pool with no block in use; nothing was freed.",
                "pointer");
        }

        if (!Pool.IsBlockStart(pool, address))
        {
            throw new ArgumentException(
                $"PooledGen: 0x{(nuint)address:X} points inside a PooledGen pool of {pool->BlockSize}-byte blocks but not at the start of a block " +
                "(an interior or misaligned pointer); nothing was freed.",
                "pointer");
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(ArenaHeap));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void* AllocateBlock<T>() where T : unmanaged => AllocateBlock<T>(CurrentThreadHeapOrNull(), this);
}

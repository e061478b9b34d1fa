using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

/*
 * PooledGen's small-object allocator, after CPython's Objects/obmalloc.c, with mimalloc's per-thread heaps.
 * (docs/DESIGN.md tells the same story for readers of the documentation.)
 *
 * Memory comes from the operating system in ARENAS (1 MiB by default), each aligned to its own size, so that
 * masking any address inside one gives its start. An arena is cut into POOLS (32 KiB by default), also aligned
 * to their size. A pool serves one SIZE CLASS and is cut into BLOCKS of that class's size:
 *
 *     size class:  0   1   2   3  ...  31          request of n bytes (1..512) -> class (n - 1) >> 4
 *     block size: 16  32  48  64  ... 512          block of class c            -> (c + 1) << 4 bytes
 *
 *   arena (ArenaSize, aligned to ArenaSize)
 *   +---------------------------------+-----------------+-----------------+-- ... --+-----------------+
 *   | pool 0                          | pool 1          | pool 2          |         | pool N-1        |
 *   | [pool hdr][arena hdr][blocks...]| [pool hdr][blk] | [pool hdr][blk] |         | (never carved)  |
 *   +---------------------------------+-----------------+-----------------+-- ... --+-----------------+
 *
 *   pool (PoolSize, aligned to PoolSize)
 *   +-----------+-----------+-----------+-------+-------+-------+-------+------------------------+-----+
 *   | line 0:   | line 1:   | line 2:   | block | block | block | block |   never used yet       |pad  |
 *   | read-     | the       | other     | used  | free  | used  | free  |   (bump: NextOffset)   |     |
 *   | mostly    | owner's   | threads'  |       |       |       |       |                        |     |
 *   +-----------+-----------+-----------+-------+-------+-------+-------+------------------------+-----+
 *     0           64          128         192                              ^NextOffset
 *                                       free blocks are a singly linked list through their first 8 bytes
 *
 * Finding things from a block address b:
 *     pool  = b & ~(PoolSize - 1)                 (the pool header: class, free list, owner)
 *     arena = (b & ~(ArenaSize - 1)) + 192        (the arena header: owning heap, free-pool bitmaps)
 *     "is b ours?" = the masked arena base is in ArenaRegistry, checked BEFORE any header is read.
 *
 * Threads (mimalloc): each thread has a ThreadHeap per ArenaHeap, holding per class a current pool, a list of
 * partial pools and a list of full pools. Pools are owned by one thread heap. The structs, who may write each
 * field and the invariants between them are in Headers.cs.
 *   - Alloc fast path (ArenaHeap.Alloc.cs): pop the current pool's free list, else carve its next never-used block
 *     (NextOffset). No lock, no atomic, no GC allocation. Each entry point (PooledHeap's, an ArenaHeap's) has its
 *     own slow path, which finds the next pool: partial, then full ones that got remote frees, then abandoned, then
 *     a new pool from the fullest arena, or a new arena.
 *   - Free fast path, owner thread (ArenaHeap.Free.cs): push on the pool's free list.
 *   - Free from another thread: one CAS onto the pool's thread-free list (its own cache line); the owner takes
 *     the whole list in its slow path. Another thread never touches the owner's fields.
 *   - A thread that ends (ArenaHeap.Threads.cs): DetachCurrentThread, or else the heap noticing the thread has ended
 *     (a thread attaching, a pool about to come from an arena, or a collector after each full GC), abandons its
 *     pools to the heap; the first thread that frees into one, or that needs a pool of its class, adopts it under
 *     the heap lock (once per pool, not per free), and from then on it is that thread's like any other.
 *   - Everything else (new pools, arenas, abandonment, statistics) happens under one lock per heap, off the
 *     fast paths.
 *
 * Giving memory back (pymalloc, and mimalloc's purge; ArenaHeap.Pools.cs, ArenaHeap.Arenas.cs, ArenaHeap.Purge.cs):
 * an empty pool is cached by its thread (a few) or goes back to its arena (the current pool of its class is kept, so
 * that alloc/free pairs do not thrash); pools are taken from the fullest arenas first (usable arenas bucketed by
 * free-pool count), so that lightly used ones drain. A pool back in its arena keeps its pages for the purge delay;
 * then a timer decommits it (madvise: out of RSS, reads zeros) and returns arenas with no pool in use to the
 * operating system. Trim() does it all now.
 *
 * LocalHeap (LocalHeap.cs) hands a thread its thread heap as a ref struct, so that allocations and frees through it
 * read no thread-static; the implicit entry points (T.Alloc(), PooledHeap.Alloc) read one per call.
 *
 * Requests over 512 bytes, and structs aligned more strictly than 64 bytes, take the large-object path
 * (ArenaHeap.Large.cs, LargeObjects.cs). Arenas come from the OS itself (mmap, OsMemory.cs), so that a released
 * arena leaves the process rather than staying with glibc.
 *
 * Debug mode (POOLEDGEN_DEBUG=1, or a heap made with debug: true): every entry point sends the call to the debug
 * paths before any fast path. A debug block is a larger block with a header, guard bytes (0xFD) before and after
 * the user's bytes, a stamp (the allocation's generation, which handles carry in their top bits while the process-wide
 * switch is on), and a record of where it was allocated (DebugLayout.cs draws it); freed blocks wait in a quarantine.
 *
 * Checking it (ArenaHeap.Validate.cs): Debug.Assert at every state transition of a pool, an arena, a thread heap
 * and a block; Validate() walks the whole heap and names the first broken invariant. Debug builds run both; the
 * runtime tests run once in Release and once in Debug.
 */

namespace PooledGen;

/// <summary>
/// A heap of arenas, pools and blocks with a thread heap per thread. <see cref="PooledHeap"/> is the process-wide
/// one; create an <see cref="ArenaHeap"/> of your own to keep a subsystem's memory and statistics apart, or to
/// release all of it at once with <see cref="Dispose"/>.
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
    // Invariants of the heap (checked by Validate): every arena it holds is on _arenasByFreePools[arena->FreePools]
    // and _arenasCurrent counts them; every pool out of an arena is owned by one of _allThreadHeaps (on the lists
    // of that thread heap, see Headers.cs) or is on _abandonedPools[class]; _poolsInUse[c] and _blockCapacity[c]
    // count those pools of class c and their blocks; _abandonedPoolCount counts the abandoned ones; the idle thread
    // heaps are a subset of _allThreadHeaps that own no pool. All of it is guarded by _lock.

    // Guards arenas, the abandoned pools, the thread-heap lists and the counters below. Never taken on a fast path.
    private readonly object _lock = new();
    private readonly bool _isShared;

    // Debug mode for this heap (see ArenaHeap.Debug.cs): tested only at the entry points of a private heap, beside
    // _isShared; the shared heap's entry points test DebugMode.Enabled, a static readonly the JIT folds away.
    private readonly bool _debug;

    // The live blocks of a debug heap, with their allocation sites; null in release mode.
    private readonly DebugBlocks? _debugBlocks;

    // A debug heap's raw blocks are owned by this thread heap of no thread, used under _lock; null in release mode.
    private readonly ThreadHeap* _debugOwner;

    // Each thread's thread heap of this private heap (a ThreadHeap*). Not readonly: Dispose swaps it for
    // s_noThreadHeaps, so that a disposed heap's fast path finds no thread heap, falls to the slow path and its
    // ThrowIfDisposed names the heap (a disposed ThreadLocal would name itself).
    private ThreadLocal<nint>? _threadHeaps;

    // Never given a value: what a disposed private heap reads its thread heaps from.
    private static readonly ThreadLocal<nint> s_noThreadHeaps = new();
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

    // Per class, blocks collected from the thread-free lists of abandoned pools (under the lock): the part of the
    // collections no thread heap counts (see ThreadHeap.Collected).
    private readonly long[] _collectedFromAbandonedPools = new long[SizeClass.Count];

    // Per class, the frees the last statistics snapshot reported (under the lock): the next never reports fewer.
    private readonly long[] _reportedFrees = new long[SizeClass.Count];
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
        if (CachedPoolLimit < 0)
        {
            CachedPoolLimit = MaxCachedPools;
        }

        _maxReservedBytes = maxReservedBytes;
        _isShared = isShared;
        _debug = debug || DebugMode.Enabled;
        _debugBlocks = _debug ? new DebugBlocks() : null;
        _threadHeaps = isShared ? null : new ThreadLocal<nint>();
        _arenasByFreePools = (Arena**)NativeMemory.AllocZeroed((nuint)(HeapGeometry.PoolsPerArena + 1), (nuint)sizeof(Arena*));
        _abandonedPools = (Pool**)NativeMemory.AllocZeroed(SizeClass.Count, (nuint)sizeof(Pool*));
        Id = HeapRegistry.Add(this);
        if (_debug)
        {
            _debugOwner = ThreadHeap.Create(-Id);
            _debugOwner->IsAttached = true;
        }

        // Made now, unarmed, so that the first pool to wait for the purge (on any thread, in any loop) allocates nothing.
        _purgeTimer = CreatePurgeTimer();
        PooledGenMetrics.EnsureCreated();
        DeadThreadCollector.EnsureStarted();
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
        return new Pooled<T>(pointer);
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
        return new Pooled<T>(pointer);
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
            if (_debug)
            {
                FreeDebug(item.Pointer, item.Tag, typeof(T));
                return;
            }

            FreeBlock(CurrentThreadHeapOrNull(), item.Pointer);
        }
    }

    /// <summary>
    /// The calling thread's part of this heap, to allocate and free through without a thread-static read per call (see
    /// <see cref="LocalHeap"/>). Attaches the thread to the heap if it has not used it yet.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    public LocalHeap Local => new(CurrentThreadHeap());

    /// <summary>
    /// Gives memory back now, without waiting for the purge delay: the calling thread's empty pools and every empty
    /// abandoned pool return to their arenas, every pool waiting for the purge is decommitted, and every arena with no
    /// pool in use returns to the operating system. Other threads are asked to release their empty pools at their
    /// next slow path.
    /// </summary>
    /// <returns>The bytes returned to the operating system: arenas released and pools decommitted.</returns>
    public long Trim()
    {
        ThreadHeap* self = CurrentThreadHeapOrNull();
        lock (_lock)
        {
            ThrowIfDisposed();
            long released = _arenasReleased;
            long decommitted = _poolsDecommitted;
            if (self != null)
            {
                ReleaseEmptyPools(self);
            }

            RequestTrimOfOtherThreads(self);
            ReleaseQuarantine();
            if (_debugOwner != null)
            {
                ReleaseEmptyPools(_debugOwner);
            }

            ReleaseEmptyAbandonedPools();
            PurgeEverything();
            return (_arenasReleased - released) * HeapGeometry.ArenaSize + (_poolsDecommitted - decommitted) * HeapGeometry.PoolSize;
        }
    }

    /// <summary>
    /// Hands the calling thread's part of this heap back at once, as the end of the thread would: its pools go to
    /// the heap (empty ones to their arenas, the others to be adopted by other threads and drained by frees), so that
    /// a thread about to end does not keep its memory until the garbage collector finalizes its thread state.
    /// Blocks the thread allocated stay valid and may be freed later from any thread. If the thread allocates from
    /// this heap again, it gets a new thread heap. Does nothing when the thread has none.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The heap is disposed.</exception>
    /// <example>
    /// <code>
    /// var worker = new Thread(() =>
    /// {
    ///     try { Work(heap); }
    ///     finally { heap.DetachCurrentThread(); }
    /// });
    /// </code>
    /// </example>
    public void DetachCurrentThread()
    {
        ThrowIfDisposed();
        DetachCurrentThreadHeap();
    }

    /// <summary>
    /// Returns every arena and large block of this heap to the operating system. Every block it handed out becomes
    /// invalid; later calls on this heap throw <see cref="ObjectDisposedException"/>. Call it once no thread uses the
    /// heap any more: a heap that is never disposed keeps its memory (the heap registry keeps it reachable).
    /// </summary>
    public void Dispose()
    {
        ThreadLocal<nint>? threadHeaps = _threadHeaps;
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

            _purgeTimer.Dispose();
            _purgeArmed = false;
            ReleaseAllArenas();
            RecycleAllThreadHeaps();
            NativeMemory.Free(_arenasByFreePools);
            NativeMemory.Free(_abandonedPools);
        }

        threadHeaps?.Dispose();
        LargeObjects.FreeAllOf(Id);
        HeapRegistry.Remove(Id);
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(ArenaHeap));
        }
    }
}

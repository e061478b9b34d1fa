using System.Runtime.InteropServices;

// The allocator's three header structs in one place (mimalloc's include/mimalloc/types.h): what each field means,
// who may write it, the invariants that hold between operations, and why the fields sit where they do. Their
// operations live in Pool.cs, Arena.cs and ThreadHeap.cs; ArenaHeap.Validate.cs checks every invariant stated here,
// and Debug.Assert checks them where they change. The picture of arenas, pools and blocks is at the top of
// ArenaHeap.cs.

namespace PooledGen;

/// <summary>Where a pool is, which says who may touch its free list and on which list it is linked.</summary>
/// <remarks>
/// Transitions (each asserted where it happens):
/// <code>
///   InArena --AcquirePool--> Current --exhausted--> Full --a free into it--> Partial --NextPool--> Current
///   Partial/Full --its last block freed by the owner--> Cached --NextPool--> Current
///   Current/Partial/Full --owner thread ends (Abandon)--> Abandoned --AdoptAbandonedPool--> Current
///   Abandoned --a thread frees into it (ReclaimAbandonedPool)--> Partial (Full if it has no free block)
///   Cached/Abandoned/Partial/Full (empty) --ReleasePool--> InArena
/// </code>
/// </remarks>
internal enum PoolState : byte
{
    /// <summary>Empty and back in its arena's free-pool list (or never carved). Owner is <see cref="ThreadHeap.Detached"/>.</summary>
    InArena,

    /// <summary>The pool its owner thread allocates this class from: in <c>ThreadHeap.CurrentPools</c>, on no list.</summary>
    Current,

    /// <summary>On its owner's partial list of its class: it has free blocks (or blocks waiting in ThreadFree).</summary>
    Partial,

    /// <summary>On its owner's full list of its class: no free block the owner knows of; remote frees may arrive.</summary>
    Full,

    /// <summary>
    /// Its owner thread ended with blocks still in use: on the heap's abandoned list, touched only under the heap lock,
    /// until a thread frees into it or needs a pool of its class and adopts it.
    /// </summary>
    Abandoned,

    /// <summary>
    /// Empty, kept by its owner on <c>ThreadHeap.CachedPools</c> for the next pool it needs, of any class, without
    /// taking the heap lock (mimalloc's retired pages): batches that span pools do not return pools to their arena
    /// and take them back every time.
    /// </summary>
    Cached,
}

/// <summary>
/// The header at the start of every pool. A pool serves one size class; its free blocks form a list threaded through
/// their first 8 bytes; never-used blocks are carved lazily with a bump offset (obmalloc's <c>nextoffset</c>).
/// </summary>
/// <remarks>
/// <para><b>Who writes what.</b> The owner thread alone (or the heap lock, for a pool with no owner thread) touches
/// every field but <see cref="ThreadFree"/>, with plain reads and writes. Other threads push the blocks they free onto
/// <see cref="ThreadFree"/> with one compare-and-swap and never touch anything else; the owner takes the whole list in
/// its slow path (mimalloc's <c>thread_free</c>).</para>
/// <para><b>Layout: three cache lines, by who writes them.</b> Line 0 (bytes 0–63) holds what does not change while
/// a thread owns the pool: the owner, the heap and the geometry. A thread freeing another thread's block reads only
/// this line (to find the owner, as mimalloc reads the owner from the segment header), and nobody writes it on a fast
/// path, so the read does not contend with the owner. Line 1 (64–127) is the owner's: the free list, the count of
/// blocks in use, the carving offset and its limit (a copy of <see cref="LastOffset"/>, so that allocation touches this
/// line only), the state and the list links. Line 2 (128–191) holds only <see cref="ThreadFree"/>, the one field other
/// threads write, so that their frees do not evict the owner's line.</para>
/// <para><b>Invariants</b> (between operations; a pool in an arena's free list holds none of them but the first):</para>
/// <list type="bullet">
/// <item>The pool starts at a multiple of <c>PoolSize</c>; <c>Pool.Of(block)</c> of any of its blocks gives it.</item>
/// <item><c>BlockSize == (SizeClass + 1) * 16</c>; <c>Capacity == (PoolSize - FirstOffset) / BlockSize</c>;
/// <c>LastOffset == CarveLimit == FirstOffset + (Capacity - 1) * BlockSize</c>.</item>
/// <item><c>FirstOffset &lt;= NextOffset &lt;= LastOffset + BlockSize</c>: the blocks at
/// [<c>FirstOffset</c>, <c>NextOffset</c>) have been carved, the rest never touched.</item>
/// <item><see cref="Free"/> and <see cref="ThreadFree"/> are acyclic lists of distinct carved block starts.</item>
/// <item><c>Used == carved - |Free|</c>: blocks handed out and not yet back on the owner's list, so
/// <c>Used - |ThreadFree|</c> is the number of blocks in use (mimalloc: <c>used - |thread_free|</c>).</item>
/// <item><see cref="State"/> says which single list holds the pool (see <see cref="PoolState"/>), and
/// <see cref="Owner"/> is the thread heap of those lists, or <see cref="ThreadHeap.Detached"/> when Abandoned or
/// InArena. <see cref="HeapId"/> is the id of the heap that owns the arena.</item>
/// </list>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = HeaderSize)]
internal unsafe partial struct Pool
{
    /// <summary>Bytes of pool header: three cache lines, read-mostly, the owner's, and the one other threads write.</summary>
    public const int HeaderSize = 192;

    // Line 0: fixed while a thread owns the pool; what a remote free reads.

    /// <summary>The owner thread heap, or <see cref="ThreadHeap.Detached"/> when no thread owns the pool.</summary>
    [FieldOffset(0)] public ThreadHeap* Owner;

    /// <summary>The id of the heap whose arena holds the pool (a remote free compares it with its own thread heap's).</summary>
    [FieldOffset(8)] public int HeapId;

    /// <summary>Offset of the first block: after the header, more in an arena's first pool, which also holds the arena header.</summary>
    [FieldOffset(12)] public int FirstOffset;

    /// <summary>Offset of the last block that fits in the pool.</summary>
    [FieldOffset(16)] public int LastOffset;

    /// <summary>Blocks the pool holds.</summary>
    [FieldOffset(20)] public int Capacity;

    /// <summary>The block size, <c>(SizeClass + 1) * 16</c>.</summary>
    [FieldOffset(24)] public ushort BlockSize;

    /// <summary>The size class this pool serves while it is out of its arena.</summary>
    [FieldOffset(26)] public byte SizeClass;

    /// <summary>
    /// <c>floor(2^32 / (BlockSize / 16)) + 1</c>: an offset's block index is a multiply and a shift, not a division
    /// (exact for the offsets of a pool of up to 1 MiB), on the untyped free's check of the pointer.
    /// </summary>
    [FieldOffset(32)] public ulong BlockReciprocal;

    // Line 1: the owner's.

    /// <summary>The owner's free list: each free block holds the address of the next in its first 8 bytes.</summary>
    [FieldOffset(64)] public byte* Free;

    /// <summary>Blocks handed out and not yet returned to the owner (remote frees count until collected).</summary>
    [FieldOffset(72)] public int Used;

    /// <summary>Offset of the next never-used block; carving stops after <see cref="CarveLimit"/>.</summary>
    [FieldOffset(76)] public int NextOffset;

    /// <summary>A copy of <see cref="LastOffset"/> on the owner's line; 0 in the empty pool, so that it never carves.</summary>
    [FieldOffset(80)] public int CarveLimit;

    /// <summary>Where the pool is; see <see cref="PoolState"/>. Set only through <c>Pool.SetState</c>, with <see cref="AttentionAt"/>.</summary>
    [FieldOffset(84)] public PoolState State;

    /// <summary>
    /// The <see cref="Used"/> count at which a local free needs the slow path, so that the free fast path makes one
    /// comparison: 0 for a partial pool (it is empty: cache it or give it back), <c>Capacity - UnfullMargin</c> for a full
    /// pool (it has room enough to go back on the partial list: moving it for a single free block would switch pools
    /// for every allocation), and -1 (never) for the current pool and pools no thread frees into locally.
    /// </summary>
    [FieldOffset(88)] public int AttentionAt;

    /// <summary>Next pool on whichever list holds this one (owner's lists, abandoned list, arena free list).</summary>
    [FieldOffset(96)] public Pool* Next;

    /// <summary>Previous pool on a doubly-linked list (null on the singly linked ones).</summary>
    [FieldOffset(104)] public Pool* Prev;

    /// <summary>
    /// While the pool is free in its arena with its pages committed (waiting for the purge): when it came back
    /// (<c>Environment.TickCount64</c>). The purge decommits it once the purge delay has passed since then, whatever
    /// came back to the arena after it.
    /// </summary>
    [FieldOffset(112)] public long ReturnedAt;

    // Line 2: other threads'.

    /// <summary>Blocks freed by threads other than the owner, pushed with a compare-and-swap; 0 when none.</summary>
    [FieldOffset(128)] public nint ThreadFree;
}

/// <summary>
/// The header of an arena: <c>ArenaSize</c> bytes taken from the operating system, aligned to their size and cut
/// into pools. It sits right after the header of the arena's first pool, so that every pool keeps its header at its
/// own start, and is followed by its two pool bitmaps.
/// </summary>
/// <remarks>
/// <para><b>Who writes what.</b> Everything under the owning heap's lock. Free paths of other heaps read
/// <see cref="HeapId"/> and <see cref="IsDebug"/>, which never change while the arena lives.</para>
/// <para><b>Why bitmaps.</b> A free pool may be decommitted (its pages given back, reading zeros), so nothing about
/// free pools can live in their own headers: which pools are free, and which of those still hold their pages while
/// they wait for the purge, is kept here, one bit per pool (<c>FreeMap</c> and <c>WaitingMap</c>, each
/// <c>ArenaHeap.MapWords</c> 64-bit words right after this struct).</para>
/// <para><b>Invariants:</b></para>
/// <list type="bullet">
/// <item><see cref="Base"/> is a multiple of <c>ArenaSize</c> and is in the ArenaRegistry while the arena lives.</item>
/// <item><c>0 &lt;= CarvedPools &lt;= PoolsPerArena</c>; pools at index &gt;= CarvedPools have never been touched,
/// and are free.</item>
/// <item><c>FreePools == |FreeMap|</c>; <c>WaitingMap</c> is a subset of <c>FreeMap</c> below <see cref="CarvedPools"/>
/// and <c>WaitingPools == |WaitingMap|</c>. A free pool not waiting is decommitted (or never carved): zeros.</item>
/// <item>A pool that is not free is out of the arena: owned by a thread heap, cached, or abandoned.</item>
/// <item>The arena is on exactly one list of its heap's <c>_arenasByFreePools</c>: the one at index
/// <see cref="FreePools"/>. It is on the heap's purge list when it has waiting pools or is empty (then the purge
/// releases it once no pool of it waits), unless purging is off; no waiting pool's <c>ReturnedAt</c> plus the delay is
/// before its <see cref="PurgeDeadline"/>.</item>
/// </list>
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal unsafe partial struct Arena
{
    /// <summary>The start of the arena (and of its first pool).</summary>
    public byte* Base;

    /// <summary>The id of the <see cref="ArenaHeap"/> that owns the arena.</summary>
    public int HeapId;

    /// <summary>Pools not in use: free in the arena (waiting for the purge, decommitted, or never carved). The arena's place in the ordering.</summary>
    public int FreePools;

    /// <summary>Pools carved so far, lazily: pools at or past this index have never been touched.</summary>
    public int CarvedPools;

    /// <summary>Free pools whose pages are still committed, waiting for the purge (or for reuse before it).</summary>
    public int WaitingPools;

    /// <summary>
    /// True when the owning heap is in debug mode: its blocks hand out an address past a guard prefix, so an untyped
    /// free sends them to the debug checks.
    /// </summary>
    public bool IsDebug;

    /// <summary>True while the arena is on its heap's purge list.</summary>
    public bool OnPurgeList;

    /// <summary>
    /// When (<c>Environment.TickCount64</c>) the purge next looks at the arena: at the latest, the oldest waiting pool's
    /// return plus the purge delay. It decommits the pools whose delay has passed, and releases the arena once it is
    /// empty and no pool of it waits any more.
    /// </summary>
    public long PurgeDeadline;

    /// <summary>Next arena with the same <see cref="FreePools"/> count.</summary>
    public Arena* Next;

    /// <summary>Previous arena with the same <see cref="FreePools"/> count.</summary>
    public Arena* Prev;

    /// <summary>Next arena on the heap's purge list.</summary>
    public Arena* PurgeNext;

    /// <summary>Previous arena on the heap's purge list.</summary>
    public Arena* PurgePrev;
}

/// <summary>
/// One thread's part of an <see cref="ArenaHeap"/> (mimalloc's <c>mi_heap_t</c>): per size class, the pool it
/// allocates from and the lists of its other pools, plus its statistics counters. It lives in native memory, so the
/// fast path reaches it through one pointer and indexes it without bounds checks.
/// </summary>
/// <remarks>
/// <para><b>Who writes what.</b> Its thread alone, with plain writes, except <see cref="RemoteFreeHint"/> (other
/// threads of the same heap set it) and <see cref="TrimRequested"/> (set under the heap lock by <c>Trim</c>), which sit
/// on lines of their own. When the thread ends or detaches, its pools are abandoned under the heap lock and the struct
/// is kept, idle, for the next thread; its counters are kept too, so sums over every thread heap ever made stay exact.</para>
/// <para><b>Layout.</b> <see cref="CurrentPools"/> first (the fast path's one read), then the counters the fast paths
/// increment, then the lists the slow paths use, then the hint lines other threads write.</para>
/// <para><b>Invariants:</b></para>
/// <list type="bullet">
/// <item>For each class c, <c>CurrentPools[c]</c> is <c>EmptyPool.Instance</c> or a pool of class c, owned by this
/// heap, in state Current; <c>PartialPools[c]</c> and <c>FullPools[c]</c> are doubly linked lists of pools of class c
/// owned by this heap, in state Partial and Full.</item>
/// <item>Summed over every thread heap of an ArenaHeap, <c>RemoteFrees[c] - Collected[c]</c>, less the heap's own count of
/// blocks it collected from abandoned pools, equals the blocks of class c waiting on its pools' thread-free lists: the
/// sum over its pools of <c>|ThreadFree|</c>. A local free counts nothing (its pool's <c>Used</c> drops), so the blocks
/// in use are the pools' <c>Used - |ThreadFree|</c> and the frees are <c>Allocations</c> minus those.</item>
/// <item><c>CachedPools</c> is a list of <c>CachedPoolCount</c> empty pools owned by this heap, in state Cached.</item>
/// <item>An idle thread heap (no thread) owns no pool: every current is EmptyPool and every list is empty.</item>
/// </list>
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal unsafe partial struct ThreadHeap
{
    /// <summary>Per class, the <see cref="Pool"/>* allocated from; <c>EmptyPool.Instance</c> when none, so the fast path needs no null test.</summary>
    public fixed long CurrentPools[PooledGen.SizeClass.Count];

    /// <summary>
    /// Per class, blocks this thread allocated, ever: one increment of a thread-private counter per allocation. Summed
    /// over every thread heap, less the blocks in use (which the pools count), it gives the frees: a local free, the
    /// hot one, counts nothing beyond its pool's <c>Used</c>.
    /// </summary>
    public fixed long Allocations[PooledGen.SizeClass.Count];

    /// <summary>Per class, blocks this thread pushed on the thread-free list of a pool another thread owns, ever.</summary>
    public fixed long RemoteFrees[PooledGen.SizeClass.Count];

    /// <summary>Per class, blocks this thread heap took back from the thread-free lists of its own pools, ever.</summary>
    public fixed long Collected[PooledGen.SizeClass.Count];

    /// <summary>Per class, head of the list of owned pools that have free blocks.</summary>
    public fixed long PartialPools[PooledGen.SizeClass.Count];

    /// <summary>Per class, head of the list of owned pools with no free block (so remote frees into them can be found).</summary>
    public fixed long FullPools[PooledGen.SizeClass.Count];

    /// <summary>Empty pools kept for reuse, of any class, singly linked through <see cref="Pool.Next"/> (state Cached).</summary>
    public Pool* CachedPools;

    /// <summary>How many pools are on <see cref="CachedPools"/>: at most <c>ArenaHeap.MaxCachedPools</c>.</summary>
    public int CachedPoolCount;

    /// <summary>
    /// The owning <see cref="ArenaHeap"/>'s id. 0 for <see cref="Detached"/>; minus the heap's id for a debug heap's
    /// own block owner: neither is any thread's, so a remote free never mistakes their pools for a thread's.
    /// </summary>
    public int HeapId;

    /// <summary>Set by <see cref="ArenaHeap.Trim"/> on another thread: release empty pools at the next slow path.</summary>
    public volatile int TrimRequested;

    /// <summary>Attaches so far: a lease abandons the thread heap only if it is still the attach the lease was made for.</summary>
    public int AttachCount;

    /// <summary>True while a thread uses this thread heap; false once it is idle (abandoned, waiting for a new thread).</summary>
    public bool IsAttached;

    private fixed byte _padding[39];

    /// <summary>
    /// Per class, set by another thread after it freed into one of this heap's pools: the slow path then looks at
    /// the full pools too. Only a hint: a block is never lost if it is missed, it waits in its pool.
    /// Kept on cache lines of its own, the only ones other threads write.
    /// </summary>
    public fixed int RemoteFreeHint[PooledGen.SizeClass.Count];
}

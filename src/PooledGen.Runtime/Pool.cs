using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PooledGen;

/// <summary>Where a pool is, which says who may touch its free list.</summary>
internal enum PoolState : byte
{
    /// <summary>Empty and back in its arena's free-pool list (or never carved).</summary>
    InArena,

    /// <summary>The pool its owner thread allocates this class from.</summary>
    Current,

    /// <summary>On its owner's partial list: it has free blocks.</summary>
    Partial,

    /// <summary>On its owner's full list: no free block the owner knows of.</summary>
    Full,

    /// <summary>Its owner thread exited with blocks still in use; on the heap's abandoned list, under the heap lock.</summary>
    Abandoned,
}

/// <summary>
/// The header at the start of every pool: a pool serves one size class, keeps its free blocks on a list threaded
/// through the blocks themselves, and carves never-used blocks lazily with a bump offset (as obmalloc does).
/// </summary>
/// <remarks>
/// The owner thread alone touches <see cref="Free"/>, <see cref="Used"/> and the offsets, with plain reads and
/// writes. Other threads push the blocks they free onto <see cref="ThreadFree"/> with one compare-and-swap, and
/// the owner takes that whole list in its slow path (mimalloc's <c>thread_free</c>). That field sits on its own
/// cache line so that remote frees do not slow the owner's fast path.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = HeaderSize)]
internal unsafe struct Pool
{
    /// <summary>Bytes of pool header: two cache lines, the owner's and the one other threads write.</summary>
    public const int HeaderSize = 128;

    /// <summary>The owner's free list: each free block holds the address of the next in its first 8 bytes.</summary>
    [FieldOffset(0)] public byte* Free;

    /// <summary>Blocks handed out and not yet returned to the owner (remote frees count once collected).</summary>
    [FieldOffset(8)] public int Used;

    /// <summary>Offset of the next never-used block; carving stops after <see cref="LastOffset"/>.</summary>
    [FieldOffset(12)] public int NextOffset;

    /// <summary>Offset of the last block that fits in the pool.</summary>
    [FieldOffset(16)] public int LastOffset;

    /// <summary>Offset of the first block: 128 after the header, more in an arena's first pool, which also holds the arena header.</summary>
    [FieldOffset(20)] public int FirstOffset;

    /// <summary>Blocks the pool holds.</summary>
    [FieldOffset(24)] public int Capacity;

    /// <summary>The block size, <c>(SizeClass + 1) * 16</c>.</summary>
    [FieldOffset(28)] public ushort BlockSize;

    /// <summary>The size class this pool serves while it is out of its arena.</summary>
    [FieldOffset(30)] public byte SizeClass;

    /// <summary>Where the pool is; see <see cref="PoolState"/>.</summary>
    [FieldOffset(31)] public PoolState State;

    /// <summary>The owner thread heap, or <see cref="ThreadHeap.Detached"/> when no thread owns the pool.</summary>
    [FieldOffset(32)] public ThreadHeap* Owner;

    /// <summary>Next pool on whichever list holds this one (owner's lists, abandoned list, arena free list).</summary>
    [FieldOffset(40)] public Pool* Next;

    /// <summary>Previous pool on a doubly-linked list.</summary>
    [FieldOffset(48)] public Pool* Prev;

    /// <summary>Blocks freed by threads other than the owner, pushed with a compare-and-swap; 0 when none.</summary>
    [FieldOffset(64)] public nint ThreadFree;

    /// <summary>The pool that holds <paramref name="block"/>: pools are aligned to their size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pool* Of(void* block) => (Pool*)((nuint)block & HeapGeometry.PoolMask);

    /// <summary>Makes an empty pool of an arena ready to serve <paramref name="sizeClass"/> for <paramref name="owner"/>.</summary>
    public static void Initialize(Pool* pool, int sizeClass, int firstOffset, ThreadHeap* owner)
    {
        int blockSize = PooledGen.SizeClass.BlockSize(sizeClass);
        int capacity = (HeapGeometry.PoolSize - firstOffset) / blockSize;
        pool->Free = null;
        pool->Used = 0;
        pool->FirstOffset = firstOffset;
        pool->NextOffset = firstOffset;
        pool->LastOffset = firstOffset + (capacity - 1) * blockSize;
        pool->Capacity = capacity;
        pool->BlockSize = (ushort)blockSize;
        pool->SizeClass = (byte)sizeClass;
        pool->State = PoolState.Current;
        pool->Owner = owner;
        pool->Next = null;
        pool->Prev = null;
        pool->ThreadFree = 0;
    }

    /// <summary>
    /// Takes a block from the free list, else from the blocks other threads freed, else carves a never-used one.
    /// Returns null when the pool is full. Owner only (or under the heap lock for an abandoned pool).
    /// </summary>
    public static byte* TakeBlock(Pool* pool)
    {
        byte* block = pool->Free;
        if (block == null)
        {
            // Blocks freed by other threads first: their memory is already touched, the untouched tail can wait.
            if (CollectThreadFree(pool) == 0)
            {
                if (pool->NextOffset > pool->LastOffset)
                {
                    return null;
                }

                // Lazy carving: memory past NextOffset has never been touched, so pages are committed only as used.
                block = (byte*)pool + pool->NextOffset;
                pool->NextOffset += pool->BlockSize;
                pool->Used++;
                return block;
            }

            block = pool->Free;
        }

        pool->Free = *(byte**)block;
        pool->Used++;
        return block;
    }

    /// <summary>Puts a block back on the owner's free list (the caller then checks for a full or empty pool).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PushFree(Pool* pool, byte* block)
    {
        *(byte**)block = pool->Free;
        pool->Free = block;
        pool->Used--;
    }

    /// <summary>Pushes a block freed by a thread that does not own the pool: lock-free, safe against any number of pushers.</summary>
    public static void PushThreadFree(Pool* pool, byte* block)
    {
        nint head;
        do
        {
            head = Volatile.Read(ref pool->ThreadFree);
            *(nint*)block = head;
        }
        while (Interlocked.CompareExchange(ref pool->ThreadFree, (nint)block, head) != head);
    }

    /// <summary>
    /// Moves every block other threads freed onto the owner's free list and returns how many there were.
    /// One exchange takes the whole list, so there is no ABA problem: pushers never see a popped node.
    /// </summary>
    public static int CollectThreadFree(Pool* pool)
    {
        if (Volatile.Read(ref pool->ThreadFree) == 0)
        {
            return 0;
        }

        byte* list = (byte*)Interlocked.Exchange(ref pool->ThreadFree, 0);
        int count = 1;
        byte* tail = list;
        while (*(byte**)tail != null)
        {
            tail = *(byte**)tail;
            count++;
        }

        *(byte**)tail = pool->Free;
        pool->Free = list;
        pool->Used -= count;
        return count;
    }

    /// <summary>True when <paramref name="address"/> is the start of a block this pool has handed out at some time.</summary>
    public static bool IsBlockStart(Pool* pool, byte* address)
    {
        nint offset = (nint)(address - (byte*)pool);
        return offset >= pool->FirstOffset
            && offset < pool->NextOffset
            && (offset - pool->FirstOffset) % pool->BlockSize == 0;
    }

    /// <summary>Unlinks <paramref name="pool"/> from the doubly-linked list whose head is <paramref name="head"/>.</summary>
    public static void Unlink(ref Pool* head, Pool* pool)
    {
        if (pool->Prev != null)
        {
            pool->Prev->Next = pool->Next;
        }
        else
        {
            head = pool->Next;
        }

        if (pool->Next != null)
        {
            pool->Next->Prev = pool->Prev;
        }

        pool->Next = null;
        pool->Prev = null;
    }

    /// <summary>Puts <paramref name="pool"/> at the front of the doubly-linked list whose head is <paramref name="head"/>.</summary>
    public static void PushFront(ref Pool* head, Pool* pool, PoolState state)
    {
        pool->State = state;
        pool->Prev = null;
        pool->Next = head;
        if (head != null)
        {
            head->Prev = pool;
        }

        head = pool;
    }
}

/// <summary>
/// A pool that is always full, installed as the current pool of every class that has none: the fast path pops
/// from it, finds nothing, and goes to the slow path, without testing for null.
/// </summary>
internal static unsafe class EmptyPool
{
    /// <summary>The one empty pool.</summary>
    public static readonly Pool* Instance = Create();

    private static Pool* Create()
    {
        var pool = (Pool*)NativeMemory.AlignedAlloc(Pool.HeaderSize, 64);
        NativeMemory.Clear(pool, Pool.HeaderSize);
        pool->NextOffset = 1;
        pool->LastOffset = 0;
        pool->State = PoolState.Current;
        return pool;
    }
}

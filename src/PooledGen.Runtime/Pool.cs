using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PooledGen;

// The operations on one pool: its free lists and its lazy carving. The header and its invariants: Headers.cs.
internal unsafe partial struct Pool
{
    /// <summary>The pool that holds <paramref name="block"/>: pools are aligned to their size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pool* Of(void* block) => (Pool*)((nuint)block & HeapGeometry.PoolMask);

    /// <summary>
    /// Makes an empty pool ready to serve <paramref name="sizeClass"/> for <paramref name="owner"/>: a pool of an
    /// arena, or a cached empty pool changing class.
    /// </summary>
    public static void Initialize(Pool* pool, int sizeClass, int firstOffset, ThreadHeap* owner, int heapId)
    {
        Debug.Assert(pool->State is PoolState.InArena or PoolState.Cached, "only an empty pool is initialised");
        Debug.Assert(owner != null && owner != ThreadHeap.Detached, "a pool leaves its arena for a thread heap");
        int blockSize = PooledGen.SizeClass.BlockSize(sizeClass);
        int capacity = (HeapGeometry.PoolSize - firstOffset) / blockSize;
        int lastOffset = firstOffset + (capacity - 1) * blockSize;
        pool->Owner = owner;
        pool->HeapId = heapId;
        pool->FirstOffset = firstOffset;
        pool->LastOffset = lastOffset;
        pool->Capacity = capacity;
        pool->BlockSize = (ushort)blockSize;
        pool->SizeClass = (byte)sizeClass;
        pool->BlockReciprocal = (1UL << 32) / (ulong)(sizeClass + 1) + 1;
        pool->Free = null;
        pool->Used = 0;
        pool->NextOffset = firstOffset;
        pool->CarveLimit = lastOffset;
        SetState(pool, PoolState.Current);
        pool->Next = null;
        pool->Prev = null;
        pool->ThreadFree = 0;
    }

    /// <summary>Puts the pool in <paramref name="state"/>, with the <see cref="AttentionAt"/> that state needs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetState(Pool* pool, PoolState state)
    {
        pool->State = state;
        pool->AttentionAt = state switch
        {
            PoolState.Partial => 0,
            PoolState.Full => pool->Capacity - UnfullMargin(pool->Capacity),
            _ => -1,
        };
    }

    /// <summary>Free blocks a full pool gathers before it goes back on the partial list: an eighth of it, at least one.</summary>
    public static int UnfullMargin(int capacity) => System.Math.Max(1, capacity / 8);

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
                if (pool->NextOffset > pool->CarveLimit)
                {
                    Debug.Assert(pool->Used == pool->Capacity, "a pool with nothing to take has every block in use");
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

        AssertIsCarvedBlock(pool, block);
        pool->Free = *(byte**)block;
        pool->Used++;
        return block;
    }

    /// <summary>Puts a block back on the owner's free list (the caller then checks for a full or empty pool).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PushFree(Pool* pool, byte* block)
    {
        AssertIsCarvedBlock(pool, block);
        Debug.Assert(pool->Used > 0, "a block is freed into a pool that has none in use");
        *(byte**)block = pool->Free;
        pool->Free = block;
        pool->Used--;
    }

    /// <summary>Pushes a block freed by a thread that does not own the pool: lock-free, safe against any number of pushers.</summary>
    public static void PushThreadFree(Pool* pool, byte* block)
    {
        AssertIsCarvedBlock(pool, block);
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
            AssertIsCarvedBlock(pool, tail);
            tail = *(byte**)tail;
            count++;
        }

        *(byte**)tail = pool->Free;
        pool->Free = list;
        pool->Used -= count;
        Debug.Assert(pool->Used >= 0, "more blocks came back from other threads than the pool had in use");
        CountCollected(pool, count);
        return count;
    }

    /// <summary>
    /// Counts blocks taken back from the thread-free list (<c>ThreadHeap.Collected</c>), so that the statistics can tell
    /// the blocks still waiting there: the owner's counter, or the heap's, under its lock, for an abandoned pool.
    /// </summary>
    private static void CountCollected(Pool* pool, int count)
    {
        ThreadHeap* owner = pool->Owner;
        if (owner != ThreadHeap.Detached)
        {
            owner->Collected[pool->SizeClass] += count;
        }
        else
        {
            // Abandoned pools are collected only under their heap's lock, so the heap is live.
            HeapRegistry.Get(pool->HeapId)!.CountCollectedFromAbandonedPool(pool->SizeClass, count);
        }
    }

    /// <summary>True when <paramref name="address"/> is the start of a block this pool has handed out at some time.</summary>
    public static bool IsBlockStart(Pool* pool, byte* address)
    {
        // Block sizes are (class + 1) * 16: a 16-byte step, then a multiply by the class's reciprocal instead of a division.
        nint offset = (nint)(address - (byte*)pool) - pool->FirstOffset;
        if (offset < 0 || offset >= pool->NextOffset - pool->FirstOffset || (offset & (PooledGen.SizeClass.Spacing - 1)) != 0)
        {
            return false;
        }

        ulong steps = (ulong)offset >> PooledGen.SizeClass.SpacingShift;
        ulong index = (steps * pool->BlockReciprocal) >> 32;
        return index * (ulong)(pool->SizeClass + 1) == steps;
    }

    /// <summary>Unlinks <paramref name="pool"/> from the doubly-linked list whose head is <paramref name="head"/>.</summary>
    public static void Unlink(ref Pool* head, Pool* pool)
    {
        Debug.Assert(pool->Prev != null || head == pool, "a pool with no predecessor is the head of its list");
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
        Debug.Assert(pool != head && pool->Next == null && pool->Prev == null, "a pool is on one list at a time");
        Debug.Assert(head == null || head->State == state, "a list holds pools of one state");
        SetState(pool, state);
        pool->Prev = null;
        pool->Next = head;
        if (head != null)
        {
            head->Prev = pool;
        }

        head = pool;
    }

    [Conditional("DEBUG")]
    private static void AssertIsCarvedBlock(Pool* pool, byte* block) =>
        Debug.Assert(Of(block) == pool && IsBlockStart(pool, block), "a block on a pool's lists is the start of one of its carved blocks");
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
        pool->CarveLimit = 0;
        Pool.SetState(pool, PoolState.Current);
        return pool;
    }
}

using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PooledGen;

// Freeing: the local fast path (the owner pushes on its pool's free list), the remote path (another thread of the
// same heap pushes on the pool's thread-free list with one CAS), and the slow path, which finds the block's heap
// from its arena and frees under that heap's rules: a block of another heap, of a debug heap, freed by a thread with
// no thread heap yet, or of an abandoned pool (the freeing thread adopts the pool under the heap lock, once, and its
// frees into it are local from then on: mimalloc's reclaim on free). Every entry point shares these: a block goes
// back to the heap that owns its arena whoever frees it.
public sealed unsafe partial class ArenaHeap
{
    /// <summary>
    /// The free fast path: pushes a block back on its pool's free list when <paramref name="threadHeap"/> owns the pool,
    /// and returns false otherwise (the caller then takes <see cref="FreeElsewhere"/>). A debug heap's pools are owned by
    /// its own block owner, which no entry point passes here, so its blocks always go to the slow path.
    /// It counts nothing: the pool's <c>Used</c> drops, and the statistics derive the frees from that (see <c>ThreadHeap</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryFreeLocal(ThreadHeap* threadHeap, byte* block)
    {
        Pool* pool = Pool.Of(block);

        // A pool of a disposed heap reads as zeros (no owner): the null test keeps a thread without a thread heap from
        // taking it for its own.
        if (pool->Owner != threadHeap || threadHeap == null)
        {
            return false;
        }

        *(byte**)block = pool->Free;
        pool->Free = block;

        // One comparison (see Pool.AttentionAt): the current pool never needs the slow path (it is kept even when empty,
        // so that alloc/free pairs do not thrash); a partial pool needs it when it empties (cached, or back to its
        // arena), a full pool when it has gathered room enough to go back on the partial list.
        if (--pool->Used == pool->AttentionAt)
        {
            OnLocalFreeNeedsAttention(threadHeap, pool);
        }

        return true;
    }

    /// <summary>The typed free of every entry point (any heap's block): the size class is a JIT constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void FreeBlock<T>(ThreadHeap* threadHeap, T* pointer) where T : unmanaged
    {
        if (BlockLayout<T>.IsLarge)
        {
            LargeObjects.Free(pointer, typeof(T));
        }
        else if (BlockLayout<T>.IsLargeInDebugOnly && !ArenaRegistry.Contains((nuint)pointer & HeapGeometry.ArenaMask))
        {
            // A debug heap put this type on the large path (its guards do not fit a pool); only such types pay the lookup.
            FreeDebug(pointer, 0, typeof(T));
        }
        else if (!TryFreeLocal(threadHeap, (byte*)pointer))
        {
            FreeElsewhere(threadHeap, (byte*)pointer, typeof(T));
        }
    }

    /// <summary>
    /// A block whose pool <paramref name="threadHeap"/> does not own. When another thread of the same heap owns it (the
    /// producer/consumer case), push it on the pool's thread-free list here, reading only the pool's read-mostly line;
    /// anything else (no thread heap yet, an abandoned pool, another heap's block, a debug heap's block, a disposed
    /// heap's block) goes to <see cref="FreeSlow"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void FreeElsewhere(ThreadHeap* threadHeap, byte* block, Type? type)
    {
        Pool* pool = Pool.Of(block);
        ThreadHeap* owner = pool->Owner;

        // A debug heap's pools carry minus its id, a disposed heap's read 0: neither matches a thread heap.
        if (threadHeap != null && pool->HeapId == threadHeap->HeapId && owner != ThreadHeap.Detached && owner != null)
        {
            int sizeClass = pool->SizeClass;
            Pool.PushThreadFree(pool, block);
            threadHeap->RemoteFrees[sizeClass]++;
            SetRemoteFreeHint(owner, sizeClass);
            return;
        }

        FreeSlow(threadHeap, block, type);
    }

    /// <summary>Tells <paramref name="owner"/> that a full pool of its class may have blocks again; written only when clear, so that its line is not dirtied on every remote free.</summary>
    private static void SetRemoteFreeHint(ThreadHeap* owner, int sizeClass)
    {
        // The owner may be abandoned meanwhile; then its struct is idle or reused and the hint is wasted, never harmful.
        ref int hint = ref owner->RemoteFreeHint[sizeClass];
        if (Volatile.Read(ref hint) == 0)
        {
            Volatile.Write(ref hint, 1);
        }
    }

    private static void FreeSlow(ThreadHeap* threadHeap, byte* block, Type? type)
    {
        ArenaHeap heap = HeapRegistry.Get(Arena.Of(block)->HeapId) ?? throw DisposedHeapsBlock(block, type);
        if (heap._debug)
        {
            // A debug heap's block freed through a release entry point (another heap's, or a LocalHeap): its checks still run.
            heap.FreeDebugBlock(block, 0, type);
            return;
        }

        heap.FreeOnCallingThread(threadHeap != null && threadHeap->HeapId == heap.Id ? threadHeap : heap.CurrentThreadHeap(), block);
    }

    /// <summary>
    /// Frees a block of this heap from the calling thread (<paramref name="threadHeap"/>, its thread heap of this heap):
    /// a local free when the thread owns the pool; when no thread does (the pool was abandoned), the thread adopts the
    /// pool under the lock and then frees locally; else a lock-free push on the pool's thread-free list for its owner.
    /// </summary>
    private void FreeOnCallingThread(ThreadHeap* threadHeap, byte* block)
    {
        Pool* pool = Pool.Of(block);
        ThreadHeap* owner = pool->Owner;
        if (owner == ThreadHeap.Detached)
        {
            lock (_lock)
            {
                switch (pool->State)
                {
                    case PoolState.Abandoned when !threadHeap->IsAttached:
                        // A LocalHeap kept past DetachCurrentThread (its documentation forbids it) frees through an
                        // idle thread heap, which must own no pool: the block goes into the pool as it stays abandoned.
                        FreeIntoAbandonedPool(threadHeap, pool, block);
                        return;
                    case PoolState.Abandoned:
                        ReclaimAbandonedPool(threadHeap, pool);
                        break;
                    case PoolState.InArena:
                        throw new ArgumentException(
                            $"PooledGen: 0x{(nuint)block:X} is in a pool that holds no allocated block (double free?); nothing was freed.",
                            "pointer");
                }

                owner = pool->Owner; // this thread's now, or adopted by another thread since it was read
            }
        }

        if (!TryFreeLocal(threadHeap, block))
        {
            int sizeClass = pool->SizeClass;
            Pool.PushThreadFree(pool, block);
            threadHeap->RemoteFrees[sizeClass]++;
            SetRemoteFreeHint(owner, sizeClass);
        }
    }

    /// <summary>
    /// Under the lock: frees into a pool no thread owns, for a thread heap that may not adopt it (an idle one); the pool
    /// returns to its arena once empty.
    /// </summary>
    private void FreeIntoAbandonedPool(ThreadHeap* threadHeap, Pool* pool, byte* block)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "abandoned pools are touched only under the heap lock");
        Pool.CollectThreadFree(pool);
        Pool.PushFree(pool, block);
        if (pool->Used == 0)
        {
            Pool.Unlink(ref _abandonedPools[pool->SizeClass], pool);
            _abandonedPoolCount--;
            ReleasePool(pool);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void OnLocalFreeNeedsAttention(ThreadHeap* threadHeap, Pool* pool)
    {
        if (pool->Used != 0)
        {
            // A full pool with room again goes back on the partial list: the thread's own lists, no heap needed.
            ThreadHeap.Unfull(threadHeap, pool);
            return;
        }

        HeapRegistry.Get(pool->HeapId)!.OnLocalFree(threadHeap, pool);
    }

    /// <summary>
    /// After the owner freed into a pool other than its current one that was full (it goes back on the partial list)
    /// or that is now empty (it is cached for reuse, or goes back to its arena when the cache is full).
    /// </summary>
    private void OnLocalFree(ThreadHeap* threadHeap, Pool* pool)
    {
        Debug.Assert(pool->Owner == threadHeap && pool->State != PoolState.Current, "only the owner frees locally, and its current pool needs no attention");
        int sizeClass = pool->SizeClass;
        if (pool->Used != 0)
        {
            ThreadHeap.Unfull(threadHeap, pool);
            return;
        }

        ref Pool* list = ref (pool->State == PoolState.Full ? ref ThreadHeap.Full(threadHeap, sizeClass) : ref ThreadHeap.Partial(threadHeap, sizeClass));
        Pool.Unlink(ref list, pool);
        if (threadHeap->CachedPoolCount < CachedPoolLimit)
        {
            ThreadHeap.CachePool(threadHeap, pool);
            return;
        }

        lock (_lock)
        {
            ReleasePool(pool);
        }
    }

    /// <summary>The refusal of an address PooledGen never handed out, or that its heap no longer holds.</summary>
    private static ArgumentException NotOurs(void* pointer) =>
        DisposedArenas.Contains((nuint)pointer)
            ? new ArgumentException(
                $"PooledGen: 0x{(nuint)pointer:X} belongs to an ArenaHeap that was disposed: its memory went back to the operating system " +
                "with the heap; nothing was freed. Free every block before disposing its heap.", nameof(pointer))
            : new ArgumentException(
                $"PooledGen: 0x{(nuint)pointer:X} was not allocated by PooledGen, or was already freed (it is in no arena and is no live large block); nothing was freed.",
                nameof(pointer));

    /// <summary>The refusal of a block whose heap was disposed (its arena reads as zeros, or its heap id is gone).</summary>
    private static ObjectDisposedException DisposedHeapsBlock(void* block, Type? type) =>
        new(nameof(ArenaHeap),
            $"PooledGen: the {(type is null ? "block" : DebugLayout.NameOf(type) + " block")} at 0x{(nuint)block:X} belongs to an ArenaHeap that was disposed; " +
            "its memory went back to the operating system with the heap and nothing was freed. Free every block before disposing its heap.");
}

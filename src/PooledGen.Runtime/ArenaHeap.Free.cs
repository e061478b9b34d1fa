using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PooledGen;

// Freeing: the local fast path (the owner pushes on its pool's free list), the remote path (another thread of the
// same heap pushes on the pool's thread-free list with one CAS), and the slow path, which finds the block's heap
// from its arena and frees under that heap's rules: a block of another heap, of an abandoned pool, of a debug heap,
// or freed by a thread with no thread heap yet. Every entry point shares these: a block goes back to the heap that
// owns its arena whoever frees it.
public sealed unsafe partial class ArenaHeap
{
    /// <summary>
    /// The free fast path: pushes a block back on its pool's free list when <paramref name="threadHeap"/> owns the pool
    /// (a pool's owner is never null, so a null thread heap falls through), else the remote or slow path. A block of a
    /// debug heap always goes to the slow path: its pools are owned by its own thread heaps, which release entry points
    /// never pass here. <paramref name="knownClass"/> is the block's class when the caller knows it (a JIT constant on
    /// the typed path, which saves reading it from the pool header), or -1.
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

    /// <summary>The typed free of every entry point (any heap's block): the size class is a JIT constant.</summary>
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
            FreeSmall(threadHeap, (byte*)pointer, -1);
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
            SetRemoteFreeHint(owner, sizeClass);
            return;
        }

        FreeSlow(block);
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
                        FreeIntoAbandonedPool(threadHeap, pool, block);
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
        SetRemoteFreeHint(owner, sizeClass);
    }

    /// <summary>Under the lock: frees into a pool no thread owns; the pool returns to its arena once empty.</summary>
    private void FreeIntoAbandonedPool(ThreadHeap* threadHeap, Pool* pool, byte* block)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "abandoned pools are touched only under the heap lock");
        Pool.CollectThreadFree(pool);
        Pool.PushFree(pool, block);
        threadHeap->Frees[pool->SizeClass]++;
        if (pool->Used == 0)
        {
            Pool.Unlink(ref _abandonedPools[pool->SizeClass], pool);
            _abandonedPoolCount--;
            ReleasePool(pool);
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
        Debug.Assert(pool->Owner == threadHeap, "only the owner frees locally");
        int sizeClass = pool->SizeClass;
        switch (pool->State)
        {
            case PoolState.Full:
                if (pool->Used != 0)
                {
                    ThreadHeap.Unfull(threadHeap, pool);
                    return;
                }

                Pool.Unlink(ref ThreadHeap.Full(threadHeap, sizeClass), pool);
                break;
            case PoolState.Partial:
                Debug.Assert(pool->Used == 0, "a partial pool needs attention only once it is empty");
                Pool.Unlink(ref ThreadHeap.Partial(threadHeap, sizeClass), pool);
                break;
            default:
                Debug.Assert(pool->State == PoolState.Current, "an owned pool is current, partial or full");
                return;
        }

        lock (_lock)
        {
            ReleasePool(pool);
        }
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
}

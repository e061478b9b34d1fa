using System;
using System.Diagnostics;
using System.Threading;

namespace PooledGen;

// Giving memory back on a delay (mimalloc's purge, jemalloc's decay): a pool returned to its arena keeps its pages
// for the purge delay, so that a burst freed and allocated again reuses them without a page fault; after the delay the
// purge decommits it (madvise(MADV_DONTNEED): it leaves RSS at once and reads zeros) while its addresses stay the
// arena's, and an arena with no pool in use goes back to the operating system. The purge runs on a timer, armed only
// while something waits, so a program that frees a burst and goes idle gets its memory back without calling the
// allocator, and an idle heap costs nothing. Everything here runs under _lock.
public sealed unsafe partial class ArenaHeap
{
    // Arenas with pools waiting for the purge, or empty (to be released), doubly linked through PurgeNext/PurgePrev.
    private Arena* _purgeList;
    private readonly Timer _purgeTimer;
    private bool _purgeArmed;
    private long _purges;
    private long _poolsDecommitted;

    /// <summary>
    /// The purge delay of this heap in milliseconds: 0 purges at once, -1 never (only <see cref="Trim"/> gives memory
    /// back). From <see cref="PooledHeapOptions.PurgeDelay"/>; tests set it per heap.
    /// </summary>
    internal long PurgeDelayMilliseconds { get; set; } = StartupConfiguration.PurgeDelayMilliseconds;

    /// <summary>True while the purge timer is set to fire (something waits for the purge).</summary>
    internal bool IsPurgeArmed => Volatile.Read(ref _purgeArmed);

    /// <summary>
    /// Under the lock, after a pool came back to <paramref name="arena"/> (or the arena emptied): with no delay the
    /// purge happens now; otherwise the arena waits on the purge list until its deadline, pushed back by every return.
    /// </summary>
    private void OnPoolReturned(Arena* arena)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "the purge list is changed under the heap lock");
        long delay = PurgeDelayMilliseconds;
        if (delay == 0)
        {
            PurgeArena(arena);
            return;
        }

        if (delay < 0)
        {
            return;
        }

        arena->PurgeDeadline = Environment.TickCount64 + delay;
        if (!arena->OnPurgeList)
        {
            LinkForPurge(arena);
        }

        if (!_purgeArmed)
        {
            ArmPurge(delay);
        }
    }

    /// <summary>Under the lock: decommits every waiting pool of <paramref name="arena"/>, or releases it when it is empty.</summary>
    private void PurgeArena(Arena* arena)
    {
        if (arena->OnPurgeList)
        {
            UnlinkFromPurge(arena);
        }

        if (arena->FreePools == HeapGeometry.PoolsPerArena)
        {
            ReleaseArena(arena);
            return;
        }

        ulong* waiting = Arena.WaitingMap(arena);
        for (int w = 0; w < Arena.MapWords; w++)
        {
            while (waiting[w] != 0)
            {
                int index = w * 64 + System.Numerics.BitOperations.TrailingZeroCount(waiting[w]);
                if (Arena.DecommitPool(arena, index))
                {
                    _poolsDecommitted++;
                }
            }
        }

        Debug.Assert(arena->WaitingPools == 0, "a purged arena has no pool waiting");
    }

    /// <summary>The timer's callback: purges the arenas whose deadline has passed and arms again for the next one.</summary>
    private void PurgeDue()
    {
        lock (_lock)
        {
            _purgeArmed = false;
            if (_disposed)
            {
                return;
            }

            long now = Environment.TickCount64;
            long next = long.MaxValue;
            bool purged = false;
            for (Arena* arena = _purgeList; arena != null;)
            {
                Arena* following = arena->PurgeNext;
                if (arena->PurgeDeadline <= now)
                {
                    PurgeArena(arena);
                    purged = true;
                }
                else
                {
                    next = Math.Min(next, arena->PurgeDeadline);
                }

                arena = following;
            }

            if (purged)
            {
                _purges++;
            }

            if (next != long.MaxValue)
            {
                ArmPurge(Math.Max(1, next - now));
            }
        }
    }

    private void ArmPurge(long dueMilliseconds)
    {
        _purgeArmed = true;
        _purgeTimer.Change(dueMilliseconds, Timeout.Infinite);
    }

    // Once per heap, by its constructor, unarmed, without the creating thread's execution context (nothing of the
    // caller's flows into it). An unarmed timer is in no timer queue: it keeps nothing alive and costs nothing.
    private Timer CreatePurgeTimer()
    {
        using (ExecutionContext.SuppressFlow())
        {
            var timer = new Timer(static heap => ((ArenaHeap)heap!).PurgeDue(), this, Timeout.Infinite, Timeout.Infinite);

            // The runtime sets its timer machinery up at the process's first arming of any timer, on the arming thread's
            // GC heap (about 1 KB): armed far ahead and disarmed here, so that it is not the first free to empty a pool.
            timer.Change(int.MaxValue - 2, Timeout.Infinite);
            timer.Change(Timeout.Infinite, Timeout.Infinite);
            return timer;
        }
    }

    private void LinkForPurge(Arena* arena)
    {
        arena->PurgePrev = null;
        arena->PurgeNext = _purgeList;
        if (_purgeList != null)
        {
            _purgeList->PurgePrev = arena;
        }

        _purgeList = arena;
        arena->OnPurgeList = true;
    }

    private void UnlinkFromPurge(Arena* arena)
    {
        Debug.Assert(arena->OnPurgeList, "only an arena on the purge list is unlinked from it");
        if (arena->PurgePrev != null)
        {
            arena->PurgePrev->PurgeNext = arena->PurgeNext;
        }
        else
        {
            _purgeList = arena->PurgeNext;
        }

        if (arena->PurgeNext != null)
        {
            arena->PurgeNext->PurgePrev = arena->PurgePrev;
        }

        arena->PurgeNext = null;
        arena->PurgePrev = null;
        arena->OnPurgeList = false;
    }
}

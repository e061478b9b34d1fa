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
    /// Under the lock, after a pool came back to <paramref name="arena"/> at <paramref name="now"/>: with no delay the
    /// purge happens now; otherwise the arena waits on the purge list until its oldest waiting pool's delay has passed.
    /// Each pool waits its own delay: an arena that keeps getting pools back (steady churn) would otherwise put its
    /// purge off for ever and keep every free pool it has committed. An emptied arena is released once its last waiting
    /// pool's delay has passed: a burst freed and allocated again within the delay finds it whole.
    /// </summary>
    private void OnPoolReturned(Arena* arena, long now)
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

        if (!arena->OnPurgeList)
        {
            // Already on it, the arena keeps its deadline: the oldest waiting pool's, earlier than this one's.
            arena->PurgeDeadline = now + delay;
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

        DecommitWaitingPools(arena, returnedBy: long.MaxValue);
        Debug.Assert(arena->WaitingPools == 0, "a purged arena has no pool waiting");
    }

    /// <summary>
    /// Under the lock: decommits the waiting pools of <paramref name="arena"/> that came back at or before
    /// <paramref name="returnedBy"/>; returns when the oldest pool still waiting came back, or <c>long.MaxValue</c>.
    /// </summary>
    private long DecommitWaitingPools(Arena* arena, long returnedBy)
    {
        long oldestLeft = long.MaxValue;
        ulong* waiting = Arena.WaitingMap(arena);
        for (int w = 0; w < Arena.MapWords; w++)
        {
            // A copy of the word: decommitting a pool clears its bit in the map.
            for (ulong bits = waiting[w]; bits != 0; bits &= bits - 1)
            {
                int index = w * 64 + System.Numerics.BitOperations.TrailingZeroCount(bits);
                long returnedAt = Arena.PoolAt(arena, index)->ReturnedAt;
                if (returnedAt > returnedBy)
                {
                    oldestLeft = Math.Min(oldestLeft, returnedAt);
                }
                else if (Arena.DecommitPool(arena, index))
                {
                    _poolsDecommitted++;
                }
            }
        }

        return oldestLeft;
    }

    /// <summary>
    /// Under the lock, at the arena's deadline: decommits the waiting pools whose delay has passed; if some still wait,
    /// the deadline becomes the oldest one's; if none does, the arena leaves the purge list, and goes back to the
    /// operating system if it is empty. Returns true when the arena stays on the purge list (its pools still wait).
    /// </summary>
    private bool PurgeExpiredPools(Arena* arena, long now)
    {
        long delay = PurgeDelayMilliseconds;
        if (delay <= 0)
        {
            PurgeArena(arena);
            return false;
        }

        long oldestLeft = DecommitWaitingPools(arena, returnedBy: now - delay);
        if (oldestLeft == long.MaxValue)
        {
            Debug.Assert(arena->WaitingPools == 0, "an arena with no pool left waiting has none in its waiting map");
            PurgeArena(arena); // nothing left to decommit: off the purge list, and released if empty
            return false;
        }

        arena->PurgeDeadline = oldestLeft + delay;
        return true;
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
                // A purged arena may be gone (released): read nothing of it after a purge that took it off the list.
                bool stillWaiting = true;
                if (arena->PurgeDeadline <= now)
                {
                    stillWaiting = PurgeExpiredPools(arena, now);
                    purged = true;
                }

                if (stillWaiting)
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

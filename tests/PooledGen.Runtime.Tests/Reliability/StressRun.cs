using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace PooledGen.Reliability;

/// <summary>The shape of a stress run; the defaults are the in-test size.</summary>
internal sealed record StressOptions
{
    /// <summary>Worker threads alive at once (each slot runs a succession of short-lived threads).</summary>
    public int Threads { get; init; } = 8;

    /// <summary>Rounds; after each, every thread has ended and the heap is checked against every live block.</summary>
    public int Rounds { get; init; } = 4;

    /// <summary>Threads each slot starts, one after the other, per round.</summary>
    public int LivesPerRound { get; init; } = 4;

    /// <summary>Random steps each thread takes before it exits; most are one allocation, free or hand-off.</summary>
    public int StepsPerLife { get; init; } = 25_000;

    /// <summary>Blocks a thread keeps before it frees some.</summary>
    public int MaxLocalBlocks { get; init; } = 600;

    /// <summary>The seed of every random choice; a thread's generator is seeded from it, its round, slot and life.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Runs on a debug heap (guards, double-free checks, allocation sites): slower, so give it fewer steps.</summary>
    public bool Debug { get; init; }
}

/// <summary>What a stress run did.</summary>
internal sealed record StressResult(
    int Seed, int Threads, int ThreadsStarted, long Operations, long Allocations, long Frees, long HandOffs,
    long FreedByAnotherThread, long OrphanedByExitingThreads, long PeakLiveBlocks, long PeakArenas, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"seed {Seed}: {Operations:N0} operations ({Allocations:N0} allocations, {Frees:N0} frees, {HandOffs:N0} hand-offs) " +
        $"on {Threads} threads at a time, {ThreadsStarted} threads started; {FreedByAnotherThread:N0} blocks freed by a thread other than their allocator's, " +
        $"{OrphanedByExitingThreads:N0} left behind by exiting threads; peak {PeakLiveBlocks:N0} live blocks, {PeakArenas} arenas; {Elapsed.TotalSeconds:F1} s";
}

/// <summary>
/// mimalloc's stress test, for PooledGen: many threads allocate blocks of sizes spread over powers of two (typed and
/// untyped, small and large), write a cookie pattern into each, and hand blocks to each other through queues and
/// shared slots, so that most blocks are freed on another thread. Threads exit while holding blocks, which other
/// threads free later, and are replaced by new threads. Every free checks the block's pattern; every round ends with
/// all threads joined and the heap checked against the exact set of live blocks; the run ends with everything freed,
/// every block accounted for exactly once, and every arena returned.
/// </summary>
internal sealed class StressRun
{
    private readonly StressOptions _options;
    private readonly ArenaHeap _heap;
    private readonly ConcurrentQueue<Tracked>[] _inboxes;
    private readonly ConcurrentQueue<Tracked> _orphans = new();
    private readonly Tracked?[] _slots;
    private readonly ConcurrentQueue<string> _failures = new();
    // One bit per block ever allocated, set when it is freed. Every operation allocates at most one block.
    private readonly long[] _freedSerials;
    private long _nextSerial;
    private long _allocations, _frees, _handOffs, _foreignFrees, _orphaned, _peakLive, _peakArenas;
    private int _threadsStarted;

    private StressRun(StressOptions options, ArenaHeap heap)
    {
        _options = options;
        _heap = heap;
        _inboxes = Enumerable.Range(0, options.Threads).Select(_ => new ConcurrentQueue<Tracked>()).ToArray();
        _slots = new Tracked?[options.Threads * 16];
        long maxBlocks = (long)options.Threads * options.Rounds * options.LivesPerRound * options.StepsPerLife;
        _freedSerials = new long[maxBlocks / 64 + 1];
    }

    /// <summary>Runs <paramref name="options"/> in a private heap, disposed at the end; throws on the first fault found.</summary>
    public static StressResult Run(StressOptions options, Action<string>? log = null)
    {
        using var heap = new ArenaHeap(0, options.Debug);
        var run = new StressRun(options, heap);
        return run.Execute(log);
    }

    private StressResult Execute(Action<string>? log)
    {
        var clock = Stopwatch.StartNew();
        for (int round = 0; round < _options.Rounds; round++)
        {
            RunRound(round);
            if (round % 2 == 1)
            {
                // Let the finalizers of the exited threads' leases run now, so that the frees below go into
                // abandoned pools (and the next round's threads adopt them), whatever the GC would have done.
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            List<Tracked> live = LiveBlocks();
            _peakLive = Math.Max(_peakLive, live.Count);
            PooledHeapStatistics stats = _heap.GetStatistics();
            _peakArenas = Math.Max(_peakArenas, stats.ArenasCurrent);
            HeapInvariants.Check(_heap, live.Select(t => t.Allocation.Block).ToList());
            log?.Invoke($"  round {round + 1}/{_options.Rounds}: {_allocations + _frees + _handOffs:N0} operations so far, {live.Count:N0} live blocks, {stats.ArenasCurrent} arenas, {stats.AbandonedPools} abandoned pools");

            // The main thread frees a third of what is left: frees into pools of exited threads.
            var random = new Random(SeedOf(_options.Seed, round, -1, 0));
            foreach (Tracked t in DrainAll())
            {
                if (random.Next(3) == 0)
                {
                    Free(t, random, ownerThread: -1);
                }
                else
                {
                    _orphans.Enqueue(t);
                }
            }
        }

        foreach (Tracked t in DrainAll())
        {
            Free(t, new Random(_options.Seed), ownerThread: -1);
        }

        ThrowIfFailed();
        CheckEveryBlockFreedOnce();

        // Exited threads hand their pools to the heap when their leases are finalized: wait for that (collections
        // only; no sleeping on time), then every arena must go back.
        for (int i = 0; i < 100 && _heap.GetStatistics().ThreadHeaps > 1; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        HeapInvariants.CheckEverythingReturned(_heap);
        return new StressResult(_options.Seed, _options.Threads, _threadsStarted, _allocations + _frees + _handOffs, _allocations, _frees, _handOffs,
            _foreignFrees, _orphaned, _peakLive, _peakArenas, clock.Elapsed);
    }

    private void RunRound(int round)
    {
        var slots = new Thread[_options.Threads];
        for (int slot = 0; slot < _options.Threads; slot++)
        {
            int mySlot = slot;
            slots[slot] = new Thread(() =>
            {
                // Each slot starts its threads one after the other: threads are created and end all the time.
                for (int life = 0; life < _options.LivesPerRound && _failures.IsEmpty; life++)
                {
                    var worker = new Thread(() => Guarded(() => Live(round, mySlot, life))) { Name = $"stress {round}.{mySlot}.{life}" };
                    Interlocked.Increment(ref _threadsStarted);
                    worker.Start();
                    worker.Join();
                }
            });
            slots[slot].Start();
        }

        foreach (Thread t in slots)
        {
            t.Join();
        }

        ThrowIfFailed();
    }

    /// <summary>One thread's life: a random mix of operations, then it exits holding some of its blocks.</summary>
    private void Live(int round, int slot, int life)
    {
        int me = (round << 20) | (slot << 8) | life;
        var random = new Random(SeedOf(_options.Seed, round, slot, life));
        var local = new List<Tracked>();
        for (int i = 0; i < _options.StepsPerLife; i++)
        {
            int roll = random.Next(100);
            if (roll < 40 || local.Count == 0)
            {
                local.Add(Allocate(random, me));
            }
            else if (roll < 65 || local.Count > _options.MaxLocalBlocks)
            {
                Free(TakeRandom(local, random), random, me);
            }
            else if (roll < 78)
            {
                // Hand a block to another thread through its queue, unless that queue is already long.
                ConcurrentQueue<Tracked> inbox = _inboxes[random.Next(_inboxes.Length)];
                if (inbox.Count < 4 * _options.MaxLocalBlocks)
                {
                    inbox.Enqueue(TakeRandom(local, random));
                    Interlocked.Increment(ref _handOffs);
                }
            }
            else if (roll < 90)
            {
                // Take what others sent: free some at once, keep the rest to free later.
                for (int n = 0; n < 8 && _inboxes[slot].TryDequeue(out Tracked? received); n++)
                {
                    if (random.Next(2) == 0)
                    {
                        Free(received, random, me);
                    }
                    else
                    {
                        local.Add(received);
                    }
                }
            }
            else if (roll < 97)
            {
                // Swap a block into a shared slot and take out whatever was there (mimalloc's transfer array).
                Tracked? previous = Interlocked.Exchange(ref _slots[random.Next(_slots.Length)], TakeRandom(local, random));
                Interlocked.Increment(ref _handOffs);
                if (previous is not null)
                {
                    local.Add(previous);
                }
            }
            else if (_orphans.TryDequeue(out Tracked? orphan))
            {
                // A block whose thread exited: its pool is abandoned (or adopted by now).
                Free(orphan, random, me);
            }
        }

        // Exit holding blocks: some are freed, the rest are left for other threads to free after this one is gone.
        int keep = random.Next(2) == 0 ? local.Count : local.Count / 2;
        while (local.Count > keep)
        {
            Free(TakeRandom(local, random), random, me);
        }

        Interlocked.Add(ref _orphaned, local.Count);
        foreach (Tracked t in local)
        {
            _orphans.Enqueue(t);
        }

        // Half the threads hand their pools back themselves; the others leave it to their lease's finalizer.
        if (random.Next(2) == 0)
        {
            _heap.DetachCurrentThread();
        }
    }

    private Tracked Allocate(Random random, int me)
    {
        long serial = Interlocked.Increment(ref _nextSerial) - 1;
        Allocation allocation;
        if (random.Next(4) == 0)
        {
            allocation = BlockType.All[random.Next(BlockType.All.Length)].Allocate(_heap, serial);
        }
        else
        {
            // Sizes spread over powers of two, as mimalloc's stress test does: mostly small, now and then large.
            int bits = random.Next(100) < 97 ? random.Next(0, 10) : random.Next(10, 13);
            int size = (1 << bits) + random.Next(1 << bits);
            allocation = Allocation.Untyped(_heap, size, serial);
        }

        Interlocked.Increment(ref _allocations);
        return new Tracked(allocation, serial, me);
    }

    private void Free(Tracked t, Random random, int ownerThread)
    {
        if (t.AllocatedBy != ownerThread)
        {
            Interlocked.Increment(ref _foreignFrees);
        }

        t.Allocation.CheckAndFree(_heap, (FreeRoute)random.Next(Allocation.RouteCount));
        MarkFreed(t.Serial);
        Interlocked.Increment(ref _frees);
    }

    /// <summary>Sets the serial's bit; a bit already set means one block was freed twice by this test or handed out twice.</summary>
    private void MarkFreed(long serial)
    {
        long bit = 1L << (int)(serial & 63);
        if ((Interlocked.Or(ref _freedSerials[serial >> 6], bit) & bit) != 0)
        {
            throw new HeapInvariantException($"block serial {serial} was freed twice");
        }
    }

    private void CheckEveryBlockFreedOnce()
    {
        long allocated = _nextSerial;
        for (long serial = 0; serial < allocated; serial++)
        {
            if ((_freedSerials[serial >> 6] & (1L << (int)(serial & 63))) == 0)
            {
                throw new HeapInvariantException($"block serial {serial} of {allocated} was never freed: the test lost it");
            }
        }

        if (_allocations != _frees || _frees != allocated)
        {
            throw new HeapInvariantException($"{_allocations} allocations, {_frees} frees, {allocated} serials");
        }
    }

    /// <summary>Every block not freed: all of them are in the queues, the slots and the orphans once the threads are joined.</summary>
    private List<Tracked> LiveBlocks()
    {
        var live = new List<Tracked>(_orphans);
        foreach (ConcurrentQueue<Tracked> inbox in _inboxes)
        {
            live.AddRange(inbox);
        }

        live.AddRange(_slots.OfType<Tracked>());
        return live;
    }

    private List<Tracked> DrainAll()
    {
        var all = new List<Tracked>();
        while (_orphans.TryDequeue(out Tracked? t))
        {
            all.Add(t);
        }

        foreach (ConcurrentQueue<Tracked> inbox in _inboxes)
        {
            while (inbox.TryDequeue(out Tracked? t))
            {
                all.Add(t);
            }
        }

        for (int i = 0; i < _slots.Length; i++)
        {
            if (Interlocked.Exchange(ref _slots[i], null) is { } t)
            {
                all.Add(t);
            }
        }

        return all;
    }

    /// <summary>
    /// The seed of one thread's life (slot -1: the main thread), the same in every process: HashCode.Combine would
    /// not do, it is randomized per process.
    /// </summary>
    public static int SeedOf(int seed, int round, int slot, int life)
    {
        ulong x = (ulong)(uint)seed;
        foreach (int part in new[] { round, slot, life })
        {
            x = (x ^ (uint)part) * 0x9E3779B97F4A7C15UL; // splitmix64's multiplier and finalizer
            x ^= x >> 31;
        }

        return (int)(x ^ (x >> 32)) & int.MaxValue;
    }

    private static Tracked TakeRandom(List<Tracked> list, Random random)
    {
        int i = random.Next(list.Count);
        Tracked t = list[i];
        list[i] = list[^1];
        list.RemoveAt(list.Count - 1);
        return t;
    }

    private void Guarded(Action body)
    {
        try
        {
            body();
        }
        catch (Exception e)
        {
            _failures.Enqueue($"{Thread.CurrentThread.Name}: {e}");
        }
    }

    private void ThrowIfFailed()
    {
        if (!_failures.IsEmpty)
        {
            throw new HeapInvariantException($"seed {_options.Seed}: {_failures.Count} thread(s) failed; the first: {_failures.First()}");
        }
    }

    /// <summary>A live block, its serial number and the thread that allocated it.</summary>
    private sealed record Tracked(Allocation Allocation, long Serial, int AllocatedBy);
}

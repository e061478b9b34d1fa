using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace PooledGen.Workloads.BinaryTrees;

/// <summary>What one run of binary-trees printed, as numbers: the check of every tree group.</summary>
/// <param name="MaxDepth">The run's maximum depth.</param>
/// <param name="Stretch">The node count of the stretch tree (depth max + 1).</param>
/// <param name="Depths">For depth 4, 6, ... max: the sum of the node counts of all trees of that depth.</param>
/// <param name="LongLived">The node count of the long-lived tree (depth max).</param>
internal sealed record TreeChecks(int MaxDepth, long Stretch, long[] Depths, long LongLived)
{
    public const int MinDepth = 4;

    /// <summary>Trees built at <paramref name="depth"/>: 2^(max − depth + 4).</summary>
    public static int Iterations(int depth, int maxDepth) => 1 << (maxDepth - depth + MinDepth);

    /// <summary>What every correct run gives: a tree of depth d has 2^(d+1) − 1 nodes.</summary>
    public static TreeChecks Expected(int maxDepth) => new(
        maxDepth,
        Nodes(maxDepth + 1),
        DepthsOf(maxDepth).Select(d => Iterations(d, maxDepth) * Nodes(d)).ToArray(),
        Nodes(maxDepth));

    public static IEnumerable<int> DepthsOf(int maxDepth)
    {
        for (var depth = MinDepth; depth <= maxDepth; depth += 2)
        {
            yield return depth;
        }
    }

    /// <summary>The lines the benchmark game's programs print for these checks.</summary>
    public IEnumerable<string> Lines()
    {
        yield return $"stretch tree of depth {MaxDepth + 1}\t check: {Stretch}";
        var depths = DepthsOf(MaxDepth).ToArray();
        for (var i = 0; i < depths.Length; i++)
        {
            yield return $"{Iterations(depths[i], MaxDepth)}\t trees of depth {depths[i]}\t check: {Depths[i]}";
        }

        yield return $"long lived tree of depth {MaxDepth}\t check: {LongLived}";
    }

    public bool SameAs(TreeChecks other) =>
        MaxDepth == other.MaxDepth && Stretch == other.Stretch && LongLived == other.LongLived && Depths.SequenceEqual(other.Depths);

    private static long Nodes(int depth) => (1L << (depth + 1)) - 1;
}

/// <summary>
/// binary-trees after the Computer Language Benchmarks Game's rules: a stretch tree of depth max + 1 built, checked
/// and freed; a long-lived tree of depth max built; for depth d = 4, 6, ... max, 2^(max − d + 4) trees of depth d
/// each built, checked and freed; then the long-lived tree checked and freed. The parallel mode runs the depths on
/// up to <c>threads</c> worker threads of its own, each taking the next depth until none is left, building and freeing
/// its own trees, and calling <c>PooledHeap.DetachCurrentThread()</c> as its last act, as a user's worker should.
/// </summary>
internal static class TreeWorkload
{
    /// <summary>One run: the checks, and the GC bytes the threads allocated while building, checking and freeing trees.</summary>
    public static TreeRunResult Run<TTrees, TTree>(int maxDepth, bool parallel, int threads) where TTrees : ITrees<TTree>
    {
        var depths = TreeChecks.DepthsOf(maxDepth).ToArray();
        var checks = new long[depths.Length];
        var gcBytesInTrees = 0L;

        var gcBytes = GC.GetAllocatedBytesForCurrentThread();
        var stretch = TTrees.Create(maxDepth + 1);
        long stretchCheck = TTrees.Check(stretch);
        TTrees.Free(stretch);
        var longLived = TTrees.Create(maxDepth);
        gcBytesInTrees += GC.GetAllocatedBytesForCurrentThread() - gcBytes;

        if (parallel)
        {
            var next = -1;
            var workers = new Thread[Math.Min(threads, depths.Length)];
            for (var w = 0; w < workers.Length; w++)
            {
                workers[w] = new Thread(() =>
                {
                    for (var i = Interlocked.Increment(ref next); i < depths.Length; i = Interlocked.Increment(ref next))
                    {
                        checks[i] = TreesOfDepth<TTrees, TTree>(depths[i], maxDepth, ref gcBytesInTrees);
                    }

                    // The worker's part of the heap goes back now, not when the GC finalizes the thread's state, so
                    // that the next run's workers adopt its pools (nothing to do where the variant is not PooledGen).
                    PooledHeap.DetachCurrentThread();
                }) { Name = "binary-trees worker" };
                workers[w].Start();
            }

            foreach (var worker in workers)
            {
                worker.Join();
            }
        }
        else
        {
            for (var i = 0; i < depths.Length; i++)
            {
                checks[i] = TreesOfDepth<TTrees, TTree>(depths[i], maxDepth, ref gcBytesInTrees);
            }
        }

        gcBytes = GC.GetAllocatedBytesForCurrentThread();
        long longLivedCheck = TTrees.Check(longLived);
        TTrees.Free(longLived);
        gcBytesInTrees += GC.GetAllocatedBytesForCurrentThread() - gcBytes;
        return new TreeRunResult(new TreeChecks(maxDepth, stretchCheck, checks, longLivedCheck), gcBytesInTrees);
    }

    // The GC bytes are counted per thread around the tree work alone, so that the harness's own allocations (the
    // arrays above, the worker threads) are not charged to the allocator.
    private static long TreesOfDepth<TTrees, TTree>(int depth, int maxDepth, ref long gcBytesInTrees) where TTrees : ITrees<TTree>
    {
        var gcBytes = GC.GetAllocatedBytesForCurrentThread();
        var iterations = TreeChecks.Iterations(depth, maxDepth);
        long check = 0;
        for (var i = 0; i < iterations; i++)
        {
            var tree = TTrees.Create(depth);
            check += TTrees.Check(tree);
            TTrees.Free(tree);
        }

        Interlocked.Add(ref gcBytesInTrees, GC.GetAllocatedBytesForCurrentThread() - gcBytes);
        return check;
    }
}

/// <summary>What one run returns.</summary>
/// <param name="Checks">The checks it printed.</param>
/// <param name="GcBytesInTrees">GC bytes allocated by the tree work itself, on every thread that did it.</param>
internal sealed record TreeRunResult(TreeChecks Checks, long GcBytesInTrees);

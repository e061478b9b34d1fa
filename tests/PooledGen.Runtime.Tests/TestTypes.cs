using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

// Fields of test structs give them their layout; they are read and written through pointers, not by name.
#pragma warning disable CS0649

namespace PooledGen.Runtime.Tests;

[StructLayout(LayoutKind.Sequential, Size = 17)]
internal struct Bytes17
{
    public byte First;
}

[StructLayout(LayoutKind.Sequential, Size = 100)]
internal struct Bytes100
{
    public long First;
}

[StructLayout(LayoutKind.Sequential, Size = 512)]
internal struct Bytes512
{
    public long First;
}

[StructLayout(LayoutKind.Sequential, Size = 513)]
internal struct Bytes513
{
    public long First;
}

internal struct WithVector256
{
    public Vector256<float> Lanes;
    public int Tag;
}

internal struct WithVector512
{
    public Vector512<float> Lanes;
}

/// <summary>640 bytes aligned to 32: over the threshold, so it takes the large path, which must keep the alignment.</summary>
[System.Runtime.CompilerServices.InlineArray(20)]
internal struct Vector256x20
{
    private Vector256<float> _element;
}

internal struct Point3
{
    public double X, Y, Z;
}

/// <summary>Helpers shared by the allocator tests.</summary>
internal static unsafe class HeapTests
{
    /// <summary>The base of the arena that holds <paramref name="p"/>.</summary>
    public static nuint ArenaOf(void* p) => (nuint)p & HeapGeometry.ArenaMask;

    /// <summary>The pool that holds <paramref name="p"/>.</summary>
    public static nuint PoolOf(void* p) => (nuint)p & HeapGeometry.PoolMask;

    /// <summary>The size class statistics of <paramref name="sizeClass"/>.</summary>
    public static SizeClassStatistics Class(this PooledHeapStatistics stats, int sizeClass) => stats.SizeClasses[sizeClass];

    /// <summary>Blocks per pool of a class, in pools other than an arena's first.</summary>
    public static int BlocksPerPool(int blockSize) => (HeapGeometry.PoolSize - Pool.HeaderSize) / blockSize;

    /// <summary>Blocks in an arena's first pool.</summary>
    public static int BlocksInFirstPool(int blockSize) => (HeapGeometry.PoolSize - Arena.FirstPoolBlockOffset) / blockSize;

    /// <summary>Blocks of one class that fill a whole arena.</summary>
    public static int BlocksPerArena(int blockSize) =>
        BlocksInFirstPool(blockSize) + (HeapGeometry.PoolsPerArena - 1) * BlocksPerPool(blockSize);

    /// <summary>
    /// Runs collections until the finalizers of exited threads' leases have handed their pools back, that is until
    /// <paramref name="done"/> holds; fails after a bounded number of rounds (no timing involved).
    /// </summary>
    public static void CollectUntil(Func<bool> done)
    {
        for (int round = 0; round < 50 && !done(); round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(10);
        }

        Assert.True(done(), "exited threads' thread heaps were not abandoned after 50 collections");
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a new thread and waits for that thread to end, and, if it attached to a heap,
    /// for its end to be signalled to the heaps (the C library posts that signal as the thread exits, a few microseconds
    /// after <see cref="Thread.Join()"/> returns).
    /// </summary>
    public static void OnNewThread(Action body)
    {
        Exception? failure = null;
        nint life = 0;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }

            life = (nint)ThreadStatics.Life;
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException("the worker thread failed: " + failure);
        }

        if (life != 0)
        {
            Assert.True(SpinWait.SpinUntil(() => ThreadLife.HasEnded((ThreadLife*)life), TimeSpan.FromSeconds(10)),
                "the ended thread's exit signal was not posted within 10 s");
        }
    }
}

namespace PooledGen.Runtime.Tests;

/// <summary>
/// Freeing a block of a disposed heap, through every free entry point, is refused with an exception and touches no
/// unmapped memory. Each scenario runs in a child process, so that a regression (a fault the runtime cannot catch)
/// fails the test instead of killing the test run.
/// </summary>
public class DisposedHeapTests
{
    private static readonly Dictionary<string, string> s_release = new();

    [Theory]
    [InlineData(nameof(DisposedHeapProcess.TypedArenaHeapFree))]
    [InlineData(nameof(DisposedHeapProcess.PooledHeapFree))]
    [InlineData(nameof(DisposedHeapProcess.HandleDispose))]
    [InlineData(nameof(DisposedHeapProcess.LocalHeapFree))]
    [InlineData(nameof(DisposedHeapProcess.UntypedFrees))]
    [InlineData(nameof(DisposedHeapProcess.LargeBlockFree))]
    [InlineData(nameof(DisposedHeapProcess.FreeFromAThreadThatNeverAllocated))]
    public void Freeing_a_block_of_a_disposed_heap_throws_and_the_process_lives_on(string scenario) =>
        ChildProcess.Run(typeof(DisposedHeapProcess), scenario, s_release);

    [Fact]
    public void Freeing_a_block_of_a_disposed_debug_heap_throws_too() =>
        ChildProcess.Run(typeof(DisposedHeapProcess), nameof(DisposedHeapProcess.DebugHeapFree), s_release);

    [Fact]
    public void A_LocalHeap_of_a_disposed_heap_refuses_to_allocate() =>
        ChildProcess.Run(typeof(DisposedHeapProcess), nameof(DisposedHeapProcess.LocalHeapAllocAfterDispose), s_release);
}

/// <summary>The child process's scenarios; each throws on failure.</summary>
public static unsafe class DisposedHeapProcess
{
    public static void TypedArenaHeapFree()
    {
        (ArenaHeap heap, Pooled<Point3> p) = DisposedWithBlock();
        AssertDisposedRefusal(() => heap.Free(p), "Point3");
    }

    public static void PooledHeapFree()
    {
        (_, Pooled<Point3> p) = DisposedWithBlock();
        PooledHeap.Free(PooledHeap.Alloc<Point3>()); // this thread has a thread heap of the shared heap
        AssertDisposedRefusal(() => PooledHeap.Free(p), "Point3");
    }

    public static void HandleDispose()
    {
        (_, Pooled<Point3> p) = DisposedWithBlock();
        AssertDisposedRefusal(() => p.Dispose(), "Point3");
    }

    public static void LocalHeapFree()
    {
        (_, Pooled<Point3> p) = DisposedWithBlock();
        AssertDisposedRefusal(() => PooledHeap.Local.Free(p), "Point3");
        using var other = new ArenaHeap();
        AssertDisposedRefusal(() => other.Local.Free(p), "Point3");
    }

    public static void UntypedFrees()
    {
        var heap = new ArenaHeap();
        void* block = heap.Allocate(40);
        heap.Dispose();
        var e = Assert.Throws<ArgumentException>(() => PooledHeap.Free(block));
        Assert.Contains("disposed", e.Message);
        using var other = new ArenaHeap();
        e = Assert.Throws<ArgumentException>(() => other.Free(block));
        Assert.Contains("disposed", e.Message);
    }

    public static void LargeBlockFree()
    {
        var heap = new ArenaHeap();
        Pooled<Bytes513> large = heap.Alloc<Bytes513>();
        heap.Dispose();
        var e = Assert.Throws<ArgumentException>(() => PooledHeap.Free(large));
        Assert.Contains("Bytes513", e.Message);
        Assert.Contains("disposed", e.Message);
    }

    public static void FreeFromAThreadThatNeverAllocated()
    {
        (_, Pooled<Point3> p) = DisposedWithBlock();
        Exception? failure = null;
        var thread = new Thread(() => failure = Record(() => PooledHeap.Free(p)));
        thread.Start();
        thread.Join();
        Assert.IsType<ObjectDisposedException>(failure);
    }

    public static void DebugHeapFree()
    {
        var heap = new ArenaHeap(0, debug: true);
        Pooled<Point3> p = heap.Alloc<Point3>();
        heap.Dispose();
        Assert.Throws<ObjectDisposedException>(() => PooledHeap.Free(p));
        Assert.Throws<ObjectDisposedException>(() => heap.Free(p));
    }

    public static void LocalHeapAllocAfterDispose()
    {
        var heap = new ArenaHeap();
        LocalHeap local = heap.Local;
        Pooled<Point3> p = local.Alloc<Point3>();
        heap.Dispose();

        // A LocalHeap taken before the dispose reads its emptied thread heap, and is refused.
        var e = Assert.IsType<ObjectDisposedException>(AllocThrough(local));
        Assert.Equal(nameof(ArenaHeap), e.ObjectName);
        AssertDisposedRefusal(FreeThrough(local, p), "Point3");

        // Taking a new one is refused at once.
        Assert.Throws<ObjectDisposedException>(() => { _ = heap.Local; });
    }

    private static Exception? AllocThrough(LocalHeap local)
    {
        try
        {
            local.Alloc<Point3>();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static Action FreeThrough(LocalHeap local, Pooled<Point3> p)
    {
        Exception? failure;
        try
        {
            local.Free(p);
            failure = null;
        }
        catch (Exception e)
        {
            failure = e;
        }

        return () =>
        {
            if (failure is not null)
            {
                throw failure;
            }
        };
    }

    private static (ArenaHeap Heap, Pooled<Point3> Block) DisposedWithBlock()
    {
        var heap = new ArenaHeap();
        Pooled<Point3> keep = heap.Alloc<Point3>();
        Pooled<Point3> p = heap.Alloc<Point3>();
        p.Value.X = 1;
        heap.Dispose();
        GC.KeepAlive(keep);
        return (heap, p);
    }

    private static void AssertDisposedRefusal(Action free, string typeName)
    {
        var e = Assert.Throws<ObjectDisposedException>(free);
        Assert.Equal(nameof(ArenaHeap), e.ObjectName);
        Assert.Contains(typeName, e.Message);
        Assert.Contains("disposed", e.Message);
    }

    private static Exception? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}

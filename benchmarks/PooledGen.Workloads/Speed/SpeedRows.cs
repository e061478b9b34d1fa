using System;

namespace PooledGen.Workloads.Speed;

/// <summary>A row of the speed tables.</summary>
/// <param name="Id">The name --rows selects it by.</param>
/// <param name="Allocator">Who allocates.</param>
/// <param name="Api">What the row calls.</param>
/// <param name="Peer">The native library it needs, if any.</param>
/// <param name="Counterpart">The PooledGen row it is compared with, like for like.</param>
/// <param name="ForSize">The row made for the payload of a size.</param>
internal sealed record SpeedRow(string Id, string Allocator, string Api, NativePeer? Peer, string Counterpart, Func<int, IRowHarness> ForSize)
{
    public static SpeedRow Of<TRow>(string id, string allocator, string api, NativePeer? peer, string counterpart)
        where TRow : ISizedRow => new(id, allocator, api, peer, counterpart, Payloads.For<TRow>);
}

/// <summary>A row of the cross-thread hand-off table (32-byte blocks).</summary>
internal sealed record HandoffRow(string Id, string Allocator, string Api, NativePeer? Peer, Func<IHandoffHarness> Create);

/// <summary>
/// The rows the speed harness measures, in table order. Ratios are taken against the PooledGen row each row names
/// as its counterpart, at the same size in the same run: <c>T.Alloc()</c> zeroes, so the zeroing peers (calloc) are
/// its like-for-like rows; <c>T.Alloc(in value)</c> copies a value, so malloc + copy is its like-for-like row.
/// </summary>
internal static class SpeedRows
{
    /// <summary>The generated <c>T.Alloc()</c> / <c>T.Free()</c>: the row every other is compared with by default.</summary>
    public const string Baseline = "pooled";

    /// <summary>The generated <c>T.Alloc(in value)</c> / <c>T.Free()</c>.</summary>
    public const string CopyBaseline = "pooled-copy";

    public static readonly SpeedRow[] All =
    [
        SpeedRow.Of<GeneratedAllocRow>(Baseline, "PooledGen", "`T.Alloc()` / `T.Free()`", null, Baseline),
        SpeedRow.Of<GeneratedAllocCopyRow>(CopyBaseline, "PooledGen", "`T.Alloc(in value)` / `T.Free()`", null, CopyBaseline),
        // EXTENSION POINT (issue #16), LocalHeap rows: add them here, e.g.
        //   SpeedRow.Of<LocalHeapAllocRow>("pooled-local", "PooledGen", "`T.Alloc(heap)` / `T.Free(heap, h)`", null, Baseline),
        //   SpeedRow.Of<LocalHeapAllocCopyRow>("pooled-local-copy", "PooledGen", "`T.Alloc(heap, in value)` / `T.Free(heap, h)`", null, CopyBaseline),
        // with, in BlockAllocators.cs, a `ref struct LocalHeapAlloc<T> : IBlockAllocator<LocalHeapAlloc<T>, Pooled<T>>`
        // holding a LocalHeap: OnThisThread() returns it made from PooledHeap.Local (the patterns call it once per run
        // on the measuring thread, the hand-off's consumer on its own thread), Alloc/Free call T.Alloc(_heap) and
        // T.Free(_heap, handle); and below, a LocalHeapAllocRow whose For<T>() returns
        // new RowHarness<LocalHeapAlloc<T>, Pooled<T>>(). Add a HandoffRow for it too.
        SpeedRow.Of<FreeListRow>("freelist", "free list (the floor)", "unsynchronised C# free list over NativeMemory slabs", null, Baseline),
        SpeedRow.Of<NativeRow<MimallocMalloc>>("mimalloc", "mimalloc", "`mi_malloc` / `mi_free`", NativePeer.Mimalloc, Baseline),
        SpeedRow.Of<NativeRow<MimallocCalloc>>("mimalloc-calloc", "mimalloc", "`mi_calloc` / `mi_free` (zeroed)", NativePeer.Mimalloc, Baseline),
        SpeedRow.Of<NativeCopyRow<MimallocMalloc>>("mimalloc-copy", "mimalloc", "`mi_malloc` + copy / `mi_free`", NativePeer.Mimalloc, CopyBaseline),
        SpeedRow.Of<NativeRow<PymallocMalloc>>("pymalloc", "pymalloc", "`PyObject_Malloc` / `PyObject_Free`", NativePeer.Pymalloc, Baseline),
        SpeedRow.Of<NativeRow<PymallocCalloc>>("pymalloc-calloc", "pymalloc", "`PyObject_Calloc` / `PyObject_Free` (zeroed)", NativePeer.Pymalloc, Baseline),
        SpeedRow.Of<NativeRow<GlibcMalloc>>("glibc", "glibc", "`malloc` / `free`", NativePeer.Glibc, Baseline),
        SpeedRow.Of<NativeRow<GlibcCalloc>>("glibc-calloc", "glibc", "`calloc` / `free` (zeroed)", NativePeer.Glibc, Baseline),
        SpeedRow.Of<ManagedNewRow>("new", "managed `new`", "`new` of the equivalent class (GC)", null, Baseline),
    ];

    /// <summary>The hand-off rows: 32-byte blocks, PooledGen against the native peers that are thread-safe.</summary>
    public static readonly HandoffRow[] Handoff =
    [
        new(Baseline, "PooledGen", "`T.Alloc()` / `T.Free()`", null, () => new Handoff<GeneratedAlloc<Block32>, Pooled<Block32>>()),
        new("mimalloc", "mimalloc", "`mi_malloc` / `mi_free`", NativePeer.Mimalloc, () => new Handoff<NativeBlocks<MimallocMalloc, Block32>, nint>()),
        new("glibc", "glibc", "`malloc` / `free`", NativePeer.Glibc, () => new Handoff<NativeBlocks<GlibcMalloc, Block32>, nint>()),
    ];

    private readonly struct GeneratedAllocRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T> => new RowHarness<GeneratedAlloc<T>, Pooled<T>>();
    }

    private readonly struct GeneratedAllocCopyRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T> => new RowHarness<GeneratedAllocCopy<T>, Pooled<T>>();
    }

    private readonly struct FreeListRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T> => new RowHarness<FreeListFloor<T>, nint>();
    }

    private readonly struct NativeRow<TMalloc> : ISizedRow where TMalloc : INativeMalloc
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T> => new RowHarness<NativeBlocks<TMalloc, T>, nint>();
    }

    private readonly struct NativeCopyRow<TMalloc> : ISizedRow where TMalloc : INativeMalloc
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T> => new RowHarness<NativeBlocksCopy<TMalloc, T>, nint>();
    }

    private readonly struct ManagedNewRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T> => new RowHarness<ManagedNew<T>, Box<T>>();
    }
}

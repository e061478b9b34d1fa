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
/// its like-for-like rows; <c>T.Alloc(in value)</c> copies a value, so malloc + copy is its like-for-like row. Each row
/// is also compared with the same counterpart on the <c>LocalHeap</c> path (<see cref="LocalCounterpartOf"/>).
/// </summary>
internal static class SpeedRows
{
    /// <summary>The generated <c>T.Alloc()</c> / <c>T.Free()</c>: the row every other is compared with by default.</summary>
    public const string Baseline = "pooled";

    /// <summary>The generated <c>T.Alloc(in value)</c> / <c>T.Free()</c>.</summary>
    public const string CopyBaseline = "pooled-copy";

    /// <summary>The generated <c>T.Alloc(heap)</c> / <c>T.Free(heap, h)</c> through the thread's <c>LocalHeap</c>.</summary>
    public const string LocalBaseline = "pooled-local";

    /// <summary>The generated <c>T.Alloc(heap, in value)</c> / <c>T.Free(heap, h)</c>.</summary>
    public const string LocalCopyBaseline = "pooled-local-copy";

    /// <summary>
    /// The LocalHeap row a row is also compared with: the copy rows with <c>T.Alloc(heap, in value)</c>, the others with
    /// <c>T.Alloc(heap)</c>, so that each row has a like-for-like counterpart on both PooledGen paths.
    /// </summary>
    public static string LocalCounterpartOf(string counterpart) => counterpart == CopyBaseline ? LocalCopyBaseline : LocalBaseline;

    public static readonly SpeedRow[] All =
    [
        SpeedRow.Of<GeneratedAllocRow>(Baseline, "PooledGen", "`T.Alloc()` / `T.Free()`", null, Baseline),
        SpeedRow.Of<GeneratedAllocCopyRow>(CopyBaseline, "PooledGen", "`T.Alloc(in value)` / `T.Free()`", null, CopyBaseline),
        SpeedRow.Of<LocalHeapAllocRow>(LocalBaseline, "PooledGen", "`T.Alloc(heap)` / `T.Free(heap, h)`, `heap = PooledHeap.Local` once per run", null, Baseline),
        SpeedRow.Of<LocalHeapAllocCopyRow>(LocalCopyBaseline, "PooledGen", "`T.Alloc(heap, in value)` / `T.Free(heap, h)`, `heap = PooledHeap.Local` once per run", null, CopyBaseline),
        SpeedRow.Of<LocalHeapUninitializedRow>("pooled-local-uninit", "PooledGen", "`heap.AllocateUninitialized(size)` / `heap.FreeUnchecked(p, size)` (not zeroed, as malloc), `heap = PooledHeap.Local` once per run", null, Baseline),
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
        new(LocalBaseline, "PooledGen", "`T.Alloc(heap)` / `T.Free(heap, h)`, each thread its own `PooledHeap.Local`", null,
            () => new Handoff<LocalHeapAlloc<Block32>, Pooled<Block32>>()),
        new("mimalloc", "mimalloc", "`mi_malloc` / `mi_free`", NativePeer.Mimalloc, () => new Handoff<NativeBlocks<MimallocMalloc, Block32>, nint>()),
        new("glibc", "glibc", "`malloc` / `free`", NativePeer.Glibc, () => new Handoff<NativeBlocks<GlibcMalloc, Block32>, nint>()),
    ];

    private readonly struct GeneratedAllocRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T>, IPooledThroughLocalHeap<T> => new RowHarness<GeneratedAlloc<T>, Pooled<T>>();
    }

    private readonly struct GeneratedAllocCopyRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T>, IPooledThroughLocalHeap<T> => new RowHarness<GeneratedAllocCopy<T>, Pooled<T>>();
    }

    private readonly struct LocalHeapAllocRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T>, IPooledThroughLocalHeap<T> => new RowHarness<LocalHeapAlloc<T>, Pooled<T>>();
    }

    private readonly struct LocalHeapAllocCopyRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T>, IPooledThroughLocalHeap<T> => new RowHarness<LocalHeapAllocCopy<T>, Pooled<T>>();
    }

    private readonly struct LocalHeapUninitializedRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T>, IPooledThroughLocalHeap<T> => new RowHarness<LocalHeapUninitialized<T>, nint>();
    }

    private readonly struct FreeListRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T>, IPooledThroughLocalHeap<T> => new RowHarness<FreeListFloor<T>, nint>();
    }

    private readonly struct NativeRow<TMalloc> : ISizedRow where TMalloc : INativeMalloc
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T>, IPooledThroughLocalHeap<T> => new RowHarness<NativeBlocks<TMalloc, T>, nint>();
    }

    private readonly struct NativeCopyRow<TMalloc> : ISizedRow where TMalloc : INativeMalloc
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T>, IPooledThroughLocalHeap<T> => new RowHarness<NativeBlocksCopy<TMalloc, T>, nint>();
    }

    private readonly struct ManagedNewRow : ISizedRow
    {
        public static IRowHarness For<T>() where T : unmanaged, IPooled<T>, IPooledThroughLocalHeap<T> => new RowHarness<ManagedNew<T>, Box<T>>();
    }
}

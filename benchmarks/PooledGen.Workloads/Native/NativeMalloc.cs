using System.Runtime.CompilerServices;

namespace PooledGen.Workloads;

/// <summary>
/// One native malloc/free pair as a type, so that the workloads are compiled once per pair with the calls inlined
/// (no delegate, no interface dispatch in the timed loops). The zeroing variants exist because PooledGen zeroes
/// what it hands out: they compare like with like.
/// </summary>
internal unsafe interface INativeMalloc
{
    static abstract void* Allocate(nuint size);

    static abstract void Free(void* block);
}

/// <summary>mi_malloc / mi_free.</summary>
internal readonly unsafe struct MimallocMalloc : INativeMalloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Allocate(nuint size) => MimallocLibrary.Malloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => MimallocLibrary.Free(block);
}

/// <summary>mi_calloc(1, size) / mi_free: zeroed, as PooledGen's Alloc().</summary>
internal readonly unsafe struct MimallocCalloc : INativeMalloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Allocate(nuint size) => MimallocLibrary.Calloc(1, size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => MimallocLibrary.Free(block);
}

/// <summary>mi_zalloc(size) / mi_free: zeroed, as PooledGen's Allocate(size).</summary>
internal readonly unsafe struct MimallocZalloc : INativeMalloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Allocate(nuint size) => MimallocLibrary.Zalloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => MimallocLibrary.Free(block);
}

/// <summary>glibc malloc / free.</summary>
internal readonly unsafe struct GlibcMalloc : INativeMalloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Allocate(nuint size) => GlibcLibrary.Malloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => GlibcLibrary.Free(block);
}

/// <summary>glibc calloc(1, size) / free.</summary>
internal readonly unsafe struct GlibcCalloc : INativeMalloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Allocate(nuint size) => GlibcLibrary.Calloc(1, size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => GlibcLibrary.Free(block);
}

/// <summary>PyObject_Malloc / PyObject_Free (the GIL-holding thread only).</summary>
internal readonly unsafe struct PymallocMalloc : INativeMalloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Allocate(nuint size) => PymallocLibrary.Malloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => PymallocLibrary.Free(block);
}

/// <summary>PyObject_Calloc(1, size) / PyObject_Free (the GIL-holding thread only).</summary>
internal readonly unsafe struct PymallocCalloc : INativeMalloc
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Allocate(nuint size) => PymallocLibrary.Calloc(1, size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => PymallocLibrary.Free(block);
}

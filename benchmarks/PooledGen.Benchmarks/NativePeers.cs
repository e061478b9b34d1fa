using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PooledGen.Benchmarks;

/// <summary>
/// A native allocator PooledGen is measured against: glibc, mimalloc or CPython's pymalloc. Its library is loaded
/// with NativeLibrary on first use and its malloc/free are called through
/// <c>delegate* unmanaged[SuppressGCTransition]</c> function pointers: no marshalling and no GC transition, so the
/// call itself costs next to nothing and the figures are the allocator's. A library that is not installed leaves
/// the peer with <see cref="Missing"/> set; the suites then skip it with a printed line instead of crashing.
/// </summary>
internal sealed unsafe class NativePeer
{
    private static NativePeer? s_glibc;
    private static NativePeer? s_mimalloc;
    private static NativePeer? s_pymalloc;

    private NativePeer(string name, string[] libraries, string package, string malloc, string calloc, string free)
    {
        Name = name;
        foreach (var library in libraries)
        {
            if (NativeLibrary.TryLoad(library, out var handle))
            {
                Library = handle;
                break;
            }
        }

        Malloc = (delegate* unmanaged[SuppressGCTransition]<nuint, void*>)Export(malloc);
        Calloc = (delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*>)Export(calloc);
        Free = (delegate* unmanaged[SuppressGCTransition]<void*, void>)Export(free);
        Missing = Library == 0 ? $"{libraries[0]} not found (install it with `apt-get install -y {package}`)"
            : Malloc == null || Calloc == null || Free == null ? $"{libraries[0]} has no {malloc}/{calloc}/{free}"
            : null;
    }

    /// <summary>glibc's malloc/free called directly (NativeMemory.Alloc reaches them through the runtime's shim).</summary>
    public static NativePeer Glibc => s_glibc ??= new("Glibc", ["libc.so.6"], "libc6", "malloc", "calloc", "free");

    /// <summary>Debian's libmimalloc2.0: mi_malloc/mi_free.</summary>
    public static NativePeer Mimalloc => s_mimalloc ??= new("Mimalloc", ["libmimalloc.so.2", "libmimalloc.so"], "libmimalloc2.0", "mi_malloc", "mi_calloc", "mi_free");

    /// <summary>CPython 3.11's pymalloc: PyObject_Malloc/PyObject_Free, after Py_InitializeEx(0).</summary>
    public static NativePeer Pymalloc => s_pymalloc ??= InitializePython(
        new("Pymalloc", ["libpython3.11.so.1.0", "libpython3.11.so.1", "libpython3.11.so"], "libpython3.11", "PyObject_Malloc", "PyObject_Calloc", "PyObject_Free"));

    /// <summary>Glibc, Mimalloc and Pymalloc.</summary>
    public static NativePeer[] All => [Glibc, Mimalloc, Pymalloc];

    /// <summary>The peer's name, as the benchmark methods start with it.</summary>
    public string Name { get; }

    /// <summary>Why the peer cannot be used, or null when it can.</summary>
    public string? Missing { get; private set; }

    /// <summary>True when the library was found with its exports.</summary>
    public bool IsAvailable => Missing is null;

    /// <summary>The library handle, or 0.</summary>
    public nint Library { get; }

    /// <summary>The allocator's malloc.</summary>
    public delegate* unmanaged[SuppressGCTransition]<nuint, void*> Malloc { get; }

    /// <summary>The allocator's calloc (count, size): zeroed blocks.</summary>
    public delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*> Calloc { get; }

    /// <summary>The allocator's free.</summary>
    public delegate* unmanaged[SuppressGCTransition]<void*, void> Free { get; }

    /// <summary>An allocator of <paramref name="size"/>-byte blocks for the suites.</summary>
    public NativeAllocator Blocks(nuint size) => new(size, Malloc, Free);

    /// <summary>An allocator of zeroed <paramref name="size"/>-byte blocks (calloc(1, size)) for the suites.</summary>
    public NativeZeroedAllocator ZeroedBlocks(nuint size) => new(size, Calloc, Free);

    /// <summary>The address of an export of the library, or 0.</summary>
    public nint Export(string symbol) =>
        Library != 0 && NativeLibrary.TryGetExport(Library, symbol, out var address) ? address : 0;

    // Once per process, without signal handlers. The calling thread then holds the GIL; pymalloc is only ever called
    // from one thread here (it is not thread-safe without the GIL).
    private static NativePeer InitializePython(NativePeer python)
    {
        var initialize = (delegate* unmanaged<int, void>)python.Export("Py_InitializeEx");
        if (python.IsAvailable && initialize == null)
        {
            python.Missing = "libpython3.11 has no Py_InitializeEx";
        }

        if (python.IsAvailable)
        {
            initialize(0);
        }

        return python;
    }
}

/// <summary>A native peer's malloc/free on blocks of one size, as the suites use it.</summary>
public readonly unsafe struct NativeAllocator(
    nuint size,
    delegate* unmanaged[SuppressGCTransition]<nuint, void*> malloc,
    delegate* unmanaged[SuppressGCTransition]<void*, void> free) : IBlockAllocator<nint>
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Alloc(long tag)
    {
        var p = (long*)malloc(size);
        *p = tag;
        return (nint)p;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(nint handle) => free((void*)handle);
}

/// <summary>A native peer's calloc(1, size)/free: zeroed blocks, as PooledGen's Alloc&lt;T&gt;() hands out.</summary>
public readonly unsafe struct NativeZeroedAllocator(
    nuint size,
    delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*> calloc,
    delegate* unmanaged[SuppressGCTransition]<void*, void> free) : IBlockAllocator<nint>
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Alloc(long tag)
    {
        var p = (long*)calloc(1, size);
        *p = tag;
        return (nint)p;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(nint handle) => free((void*)handle);
}

/// <summary>glibc's statistics and trimming, for the memory harness.</summary>
internal static unsafe class GlibcHeap
{
    /// <summary>malloc_trim(0): gives free heap memory back to the OS.</summary>
    public static void Trim()
    {
        var trim = (delegate* unmanaged<nuint, int>)NativePeer.Glibc.Export("malloc_trim");
        if (trim != null)
        {
            trim(0);
        }
    }

    /// <summary>mallinfo2(), or null where this glibc is older than 2.33.</summary>
    public static MallInfo2? Info()
    {
        var mallinfo2 = (delegate* unmanaged<MallInfo2>)NativePeer.Glibc.Export("mallinfo2");
        return mallinfo2 != null ? mallinfo2() : null;
    }

    /// <summary>glibc's <c>struct mallinfo2</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MallInfo2
    {
        /// <summary>Bytes taken with brk/sbrk and in arenas.</summary>
        public nuint Arena;
        /// <summary>Free chunks.</summary>
        public nuint Ordblks;
        /// <summary>Free fastbin blocks.</summary>
        public nuint Smblks;
        /// <summary>mmapped regions.</summary>
        public nuint Hblks;
        /// <summary>Bytes in mmapped regions.</summary>
        public nuint Hblkhd;
        /// <summary>Unused.</summary>
        public nuint Usmblks;
        /// <summary>Bytes in free fastbin blocks.</summary>
        public nuint Fsmblks;
        /// <summary>Bytes in chunks in use.</summary>
        public nuint Uordblks;
        /// <summary>Bytes in free chunks.</summary>
        public nuint Fordblks;
        /// <summary>Releasable top-of-heap bytes.</summary>
        public nuint Keepcost;
    }
}

/// <summary>mimalloc's statistics and collection, for the memory harness.</summary>
internal static unsafe class MimallocHeap
{
    /// <summary>mi_collect(true): frees what it can and decommits it.</summary>
    public static void Collect()
    {
        var collect = (delegate* unmanaged<byte, void>)NativePeer.Mimalloc.Export("mi_collect");
        if (collect != null)
        {
            collect(1);
        }
    }

    /// <summary>Bytes mimalloc has committed (mi_process_info's current_commit), or 0 when unknown.</summary>
    public static long CommittedBytes()
    {
        var processInfo = (delegate* unmanaged<nuint*, nuint*, nuint*, nuint*, nuint*, nuint*, nuint*, nuint*, void>)
            NativePeer.Mimalloc.Export("mi_process_info");
        if (processInfo == null)
        {
            return 0;
        }

        nuint elapsed, user, system, rss, peakRss, commit, peakCommit, faults;
        processInfo(&elapsed, &user, &system, &rss, &peakRss, &commit, &peakCommit, &faults);
        return (long)commit;
    }
}

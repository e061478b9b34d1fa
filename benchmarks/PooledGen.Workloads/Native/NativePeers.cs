using System;
using System.Runtime.InteropServices;

namespace PooledGen.Workloads;

/// <summary>
/// A native allocator PooledGen is measured against. Its library is loaded with <see cref="NativeLibrary"/> the
/// first time <see cref="Missing"/> (or one of its functions) is used, and its functions are called through
/// <c>delegate* unmanaged[SuppressGCTransition]</c> pointers held in <c>static readonly</c> fields: no marshalling,
/// no GC transition, and once the class is initialised the JIT calls the address as a constant. A library that is
/// not installed leaves <see cref="Missing"/> set and its rows are skipped with one printed line.
/// </summary>
internal sealed class NativePeer(string name, Func<string?> missing, Func<string> version)
{
    /// <summary>glibc (libc.so.6): malloc, calloc, free.</summary>
    public static readonly NativePeer Glibc = new("glibc", () => GlibcLibrary.Missing, () => GlibcLibrary.Version);

    /// <summary>Debian's libmimalloc2.0 (libmimalloc.so.2): mi_malloc, mi_calloc, mi_zalloc, mi_free.</summary>
    public static readonly NativePeer Mimalloc = new("mimalloc", () => MimallocLibrary.Missing, () => MimallocLibrary.Version);

    /// <summary>CPython 3.11's pymalloc (libpython3.11): PyObject_Malloc, PyObject_Calloc, PyObject_Free, after Py_InitializeEx(0).</summary>
    public static readonly NativePeer Pymalloc = new("pymalloc", () => PymallocLibrary.Missing, () => PymallocLibrary.Version);

    /// <summary>The peer's name as the tables show it.</summary>
    public string Name { get; } = name;

    /// <summary>Why the peer cannot be used (library or export not found), or null when it can.</summary>
    public string? Missing => missing();

    /// <summary>The library's own version string, or why there is none.</summary>
    public string Version => Missing ?? version();

    /// <summary>Prints <c>Skipping &lt;what&gt;: &lt;why&gt;</c> and returns false when the peer is missing.</summary>
    public bool IsAvailableFor(string what)
    {
        if (Missing is { } why)
        {
            Console.WriteLine($"Skipping {what}: {why}");
            return false;
        }

        return true;
    }

    /// <summary>Loads the first library of <paramref name="names"/> that exists, or returns 0.</summary>
    internal static nint Load(params string[] names)
    {
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                return handle;
            }
        }

        return 0;
    }

    /// <summary>The address of <paramref name="symbol"/> in <paramref name="library"/>, or 0.</summary>
    internal static nint Export(nint library, string symbol) =>
        library != 0 && NativeLibrary.TryGetExport(library, symbol, out var address) ? address : 0;

    /// <summary>Why a library with these exports cannot be used, or null.</summary>
    internal static string? Check(nint library, string file, string package, params nint[] exports) =>
        library == 0 ? $"{file} not found (install it with `apt-get install -y {package}`)"
        : Array.IndexOf(exports, (nint)0) >= 0 ? $"{file} lacks one of the functions this program calls"
        : null;
}

/// <summary>glibc's allocator, called directly (not through NativeMemory's shim).</summary>
internal static unsafe class GlibcLibrary
{
    public static readonly nint Handle = NativePeer.Load("libc.so.6");
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, void*> Malloc =
        (delegate* unmanaged[SuppressGCTransition]<nuint, void*>)NativePeer.Export(Handle, "malloc");
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*> Calloc =
        (delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*>)NativePeer.Export(Handle, "calloc");
    public static readonly delegate* unmanaged[SuppressGCTransition]<void*, void> Free =
        (delegate* unmanaged[SuppressGCTransition]<void*, void>)NativePeer.Export(Handle, "free");
    public static readonly string? Missing = NativePeer.Check(Handle, "libc.so.6", "libc6", (nint)Malloc, (nint)Calloc, (nint)Free);

    public static string Version
    {
        get
        {
            var version = (delegate* unmanaged<byte*>)NativePeer.Export(Handle, "gnu_get_libc_version");
            return version == null ? "unknown" : Marshal.PtrToStringUTF8((nint)version()) ?? "unknown";
        }
    }
}

/// <summary>mimalloc's allocator.</summary>
internal static unsafe class MimallocLibrary
{
    public static readonly nint Handle = NativePeer.Load("libmimalloc.so.2", "libmimalloc.so");
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, void*> Malloc =
        (delegate* unmanaged[SuppressGCTransition]<nuint, void*>)NativePeer.Export(Handle, "mi_malloc");
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*> Calloc =
        (delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*>)NativePeer.Export(Handle, "mi_calloc");
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, void*> Zalloc =
        (delegate* unmanaged[SuppressGCTransition]<nuint, void*>)NativePeer.Export(Handle, "mi_zalloc");
    public static readonly delegate* unmanaged[SuppressGCTransition]<void*, void> Free =
        (delegate* unmanaged[SuppressGCTransition]<void*, void>)NativePeer.Export(Handle, "mi_free");
    public static readonly string? Missing =
        NativePeer.Check(Handle, "libmimalloc.so.2", "libmimalloc2.0", (nint)Malloc, (nint)Calloc, (nint)Zalloc, (nint)Free);

    /// <summary>"2.0.9", from mi_version() (209).</summary>
    public static string Version
    {
        get
        {
            var version = (delegate* unmanaged<int>)NativePeer.Export(Handle, "mi_version");
            if (version == null)
            {
                return "unknown";
            }

            var v = version();
            return $"{v / 100}.{v / 10 % 10}.{v % 10}";
        }
    }

    /// <summary>Bytes mimalloc has committed (mi_process_info's current_commit), or -1 when it cannot say.</summary>
    public static long CommittedBytes()
    {
        var processInfo = (delegate* unmanaged<nuint*, nuint*, nuint*, nuint*, nuint*, nuint*, nuint*, nuint*, void>)
            NativePeer.Export(Handle, "mi_process_info");
        if (processInfo == null)
        {
            return -1;
        }

        nuint elapsed, user, system, rss, peakRss, commit, peakCommit, faults;
        processInfo(&elapsed, &user, &system, &rss, &peakRss, &commit, &peakCommit, &faults);
        return (long)commit;
    }
}

/// <summary>
/// CPython's pymalloc. The interpreter is initialised once, without signal handlers; the initialising thread then
/// holds the GIL, and pymalloc is only ever called from that thread (it is not thread-safe without the GIL).
/// </summary>
internal static unsafe class PymallocLibrary
{
    public static readonly nint Handle = NativePeer.Load("libpython3.11.so.1.0", "libpython3.11.so.1", "libpython3.11.so");
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, void*> Malloc =
        (delegate* unmanaged[SuppressGCTransition]<nuint, void*>)NativePeer.Export(Handle, "PyObject_Malloc");
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*> Calloc =
        (delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*>)NativePeer.Export(Handle, "PyObject_Calloc");
    public static readonly delegate* unmanaged[SuppressGCTransition]<void*, void> Free =
        (delegate* unmanaged[SuppressGCTransition]<void*, void>)NativePeer.Export(Handle, "PyObject_Free");
    public static readonly string? Missing = Initialize();

    public static string Version
    {
        get
        {
            var version = (delegate* unmanaged<byte*>)NativePeer.Export(Handle, "Py_GetVersion");
            var text = version == null ? null : Marshal.PtrToStringUTF8((nint)version());
            return text?.Split(' ')[0] ?? "unknown";
        }
    }

    private static string? Initialize()
    {
        var initialize = (delegate* unmanaged<int, void>)NativePeer.Export(Handle, "Py_InitializeEx");
        var missing = NativePeer.Check(Handle, "libpython3.11.so.1.0", "libpython3.11", (nint)Malloc, (nint)Calloc, (nint)Free, (nint)initialize);
        if (missing is null)
        {
            initialize(0);
        }

        return missing;
    }
}

/// <summary>glibc's own account of its heap.</summary>
internal static unsafe class GlibcHeapInfo
{
    /// <summary>
    /// Bytes glibc has taken from the system over all its arenas (mallinfo2's arena + hblkhd), or -1 where this
    /// glibc is older than 2.33. The .NET runtime's own allocations are in it too: compare differences.
    /// </summary>
    public static long HeldBytes()
    {
        var mallinfo2 = (delegate* unmanaged<MallInfo2>)NativePeer.Export(GlibcLibrary.Handle, "mallinfo2");
        if (mallinfo2 == null)
        {
            return -1;
        }

        var info = mallinfo2();
        return (long)(info.Arena + info.Hblkhd);
    }

    // struct mallinfo2: ten size_t fields, of which these two count what glibc took from the system.
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }
}

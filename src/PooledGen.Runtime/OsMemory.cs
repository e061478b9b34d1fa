using System;
using System.Runtime.InteropServices;

namespace PooledGen;

/// <summary>
/// Arenas straight from the operating system, so that a released arena leaves the process (CPython's
/// <c>_PyObject_ArenaMmap</c>). Taken from the C allocator instead (<see cref="NativeMemory.AlignedAlloc"/>, i.e.
/// glibc's <c>posix_memalign</c>), a freed arena went back to glibc, which kept it: RSS stayed up after <c>Trim()</c>.
/// </summary>
/// <remarks>
/// Linux and macOS: <c>mmap</c> of size + alignment bytes, then <c>munmap</c> of the unaligned head and tail, so the
/// arena is aligned to its own size; <c>munmap</c> frees it at once. The pages are the kernel's zero pages until
/// touched, so an arena costs RSS only where its pools were carved. Windows (not tested here) and any platform where
/// libc's <c>mmap</c> cannot be called keep <see cref="NativeMemory.AlignedAlloc"/>. The choice is made once per
/// process, so every arena is freed the way it was taken.
/// </remarks>
internal static unsafe partial class OsMemory
{
    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int ENOMEM = 12;

    private static readonly int s_mapAnonymous = OperatingSystem.IsLinux() ? 0x20 : 0x1000; // macOS and the BSDs: 0x1000
    private static readonly nint s_mapFailed = -1;

    /// <summary>True when arenas come from <c>mmap</c>; false when from <see cref="NativeMemory.AlignedAlloc"/>.</summary>
    public static readonly bool UsesMmap = (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && CanMap();

    /// <summary>
    /// Takes <paramref name="size"/> bytes aligned to <paramref name="size"/> (a power of two, a multiple of the page).
    /// </summary>
    /// <exception cref="OutOfMemoryException">The operating system refused the memory; nothing was taken.</exception>
    public static byte* AllocateAligned(nuint size)
    {
        if (!Maps(size))
        {
            return (byte*)NativeMemory.AlignedAlloc(size, size);
        }

        // Over-reserve by one alignment: somewhere in there is an aligned run of `size` bytes.
        nuint span = size * 2;
        nint mapped = mmap(0, span, ProtRead | ProtWrite, MapPrivate | s_mapAnonymous, -1, 0);
        if (mapped == s_mapFailed)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new OutOfMemoryException(
                $"PooledGen: the operating system refused an arena of {size} bytes (mmap of {span} bytes failed with errno {errno}" +
                (errno == ENOMEM ? ", out of memory or address space" : "") + ").");
        }

        nuint start = (nuint)mapped;
        nuint aligned = (start + size - 1) & ~(size - 1);
        nuint head = aligned - start;
        nuint tail = span - head - size;
        if (head != 0)
        {
            Unmap(start, head);
        }

        if (tail != 0)
        {
            Unmap(aligned + size, tail);
        }

        return (byte*)aligned;
    }

    /// <summary>Gives an arena from <see cref="AllocateAligned"/> back to the operating system.</summary>
    public static void Free(byte* arena, nuint size)
    {
        if (!Maps(size))
        {
            NativeMemory.AlignedFree(arena);
            return;
        }

        Unmap((nuint)arena, size);
    }

    // A size under a page (or not a whole number of pages) cannot be unmapped by its head and tail. Arena sizes are
    // fixed for the process, so an arena is always freed the way it was taken.
    private static bool Maps(nuint size) => UsesMmap && size % (nuint)Environment.SystemPageSize == 0;

    // munmap fails only for an address or length that is not page-aligned or not ours: a bug in this file.
    private static void Unmap(nuint address, nuint length)
    {
        if (munmap((nint)address, length) != 0)
        {
            throw new InvalidOperationException(
                $"PooledGen: munmap(0x{address:X}, {length}) failed with errno {Marshal.GetLastPInvokeError()}; please report this.");
        }
    }

    // mmap and munmap are called once to see that libc has them: if not (an unusual libc), arenas come from
    // NativeMemory for the whole process.
    private static bool CanMap()
    {
        try
        {
            const nuint page = 4096;
            nint probe = mmap(0, page, ProtRead | ProtWrite, MapPrivate | s_mapAnonymous, -1, 0);
            return probe != s_mapFailed && munmap(probe, page) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint address, nuint length);
}

using System;
using System.Runtime.InteropServices;

namespace PooledGen;

// Linux and macOS: mmap, munmap, madvise and mincore from libc.
internal static unsafe partial class OsMemory
{
    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapFixed = 0x10; // the same on Linux and macOS
    private const int MadvDontNeed = 4; // Linux: the pages are dropped at once and read back as zeros
    private const int ENOMEM = 12;

    private const nint MapFailed = -1;

    // Not a static field: OsMemory.Backend is chosen during type initialization, and partial files initialize their
    // fields in an order the language leaves open.
    private static int MapAnonymous => OperatingSystem.IsLinux() ? 0x20 : 0x1000; // macOS and the BSDs: 0x1000

    private static byte* MapAligned(nuint size)
    {
        // Over-reserve by one alignment: somewhere in there is an aligned run of `size` bytes.
        nuint span = size * 2;
        nint mapped = mmap(0, span, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (mapped == MapFailed)
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

    // A fresh private anonymous mapping, read-only, over the whole arena: its pages are freed at once and it reads zeros.
    private static bool RemapReadOnly(byte* address, nuint length) =>
        mmap((nint)address, length, ProtRead, MapFixed | MapPrivate | MapAnonymous, -1, 0) == (nint)address;

    // Linux: MADV_DONTNEED on private anonymous memory drops the pages now and the next touch faults a zero page in.
    // macOS: MADV_DONTNEED is only a hint there (the pages may keep their bytes and stay counted), so a fresh
    // anonymous mapping is put over the range instead: the old pages are freed at once and the new ones are zeros.
    private static bool DecommitMapped(byte* address, nuint length)
    {
        if (OperatingSystem.IsLinux())
        {
            return madvise((nint)address, length, MadvDontNeed) == 0;
        }

        return mmap((nint)address, length, ProtRead | ProtWrite, MapPrivate | MapFixed | MapAnonymous, -1, 0) == (nint)address;
    }

    // mincore marks each page of the range in a byte (bit 0: resident), in batches so that the vector fits the stack.
    private static long CountResident(byte* address, nuint length)
    {
        const int batchPages = 1024;
        byte* vector = stackalloc byte[batchPages];
        nuint page = (nuint)address & ~(s_pageSize - 1);
        nuint end = (nuint)address + length;
        long resident = 0;
        try
        {
            while (page < end)
            {
                nuint pages = Math.Min(batchPages, (end - page + s_pageSize - 1) / s_pageSize);
                if (mincore((nint)page, pages * s_pageSize, vector) != 0)
                {
                    return -1; // ENOMEM: part of the range is not mapped
                }

                for (nuint i = 0; i < pages; i++)
                {
                    resident += vector[i] & 1;
                }

                page += pages * s_pageSize;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }

        return resident * (long)s_pageSize;
    }

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
            nint probe = mmap(0, page, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            return probe != MapFailed && munmap(probe, page) == 0;
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

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint address, nuint length, int advice);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mincore(nint address, nuint length, byte* vector);
}

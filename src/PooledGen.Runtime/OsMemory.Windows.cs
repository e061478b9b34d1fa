using System;
using System.Runtime.InteropServices;

namespace PooledGen;

// Windows: VirtualAlloc and VirtualFree from kernel32. Written to the documented contract, not tested on this project's
// Linux machines.
//
// Alignment: VirtualAlloc returns addresses aligned to the allocation granularity (64 KiB), which already suits the
// smallest arenas. For larger ones the arena is first asked for as is (often aligned by luck), then by reserving
// twice its size, releasing that reservation and reserving+committing the aligned part of it at its address. Another
// thread can take that range in between, so the last step is retried a few times. VirtualAlloc2 with
// MEM_ADDRESS_REQUIREMENTS would align in one call, but it needs Windows 10 1803 and its own import
// (api-ms-win-core-memory-l1-1-6); the re-reservation works on every Windows .NET supports.
//
// The whole arena is committed when it is taken (commit charge, not RAM: pages become resident when touched), so a
// pool needs no commit call on the fast path; a pool given back with MEM_DECOMMIT is committed again by Recommit
// before it is reused.
internal static unsafe partial class OsMemory
{
    private const uint MemCommit = 0x1000;
    private const uint MemReserve = 0x2000;
    private const uint MemDecommit = 0x4000;
    private const uint MemRelease = 0x8000;
    private const uint PageNoAccess = 0x01;
    private const uint PageReadWrite = 0x04;
    private const int AlignmentAttempts = 8;

    private static byte* VirtualAllocAligned(nuint size)
    {
        byte* arena = (byte*)VirtualAlloc(null, size, MemReserve | MemCommit, PageReadWrite);
        if (arena == null)
        {
            throw VirtualAllocRefused(size);
        }

        if (((nuint)arena & (size - 1)) == 0)
        {
            return arena;
        }

        VirtualRelease(arena);
        for (int attempt = 0; attempt < AlignmentAttempts; attempt++)
        {
            byte* span = (byte*)VirtualAlloc(null, size * 2, MemReserve, PageNoAccess);
            if (span == null)
            {
                throw VirtualAllocRefused(size * 2);
            }

            var aligned = (byte*)(((nuint)span + size - 1) & ~(size - 1));
            VirtualRelease(span);
            arena = (byte*)VirtualAlloc(aligned, size, MemReserve | MemCommit, PageReadWrite);
            if (arena == aligned)
            {
                return arena;
            }

            // Another thread reserved part of the range between the release and this call: look for another one.
        }

        throw new OutOfMemoryException(
            $"PooledGen: no address range aligned to {size} bytes could be reserved for an arena after {AlignmentAttempts} attempts.");
    }

    private static bool VirtualDecommit(byte* address, nuint length) => VirtualFree(address, length, MemDecommit) != 0;

    private static void VirtualRecommit(byte* address, nuint length)
    {
        if (VirtualAlloc(address, length, MemCommit, PageReadWrite) == null)
        {
            throw new OutOfMemoryException(
                $"PooledGen: Windows refused to commit {length} bytes of an arena again (error {Marshal.GetLastPInvokeError()}): the system commit limit is reached.");
        }
    }

    // MEM_RELEASE takes the base of the reservation and a size of 0; it fails only for an address that is not one.
    private static void VirtualRelease(byte* arena)
    {
        if (VirtualFree(arena, 0, MemRelease) == 0)
        {
            throw new InvalidOperationException(
                $"PooledGen: VirtualFree(0x{(nuint)arena:X}, MEM_RELEASE) failed with error {Marshal.GetLastPInvokeError()}; please report this.");
        }
    }

    private static OutOfMemoryException VirtualAllocRefused(nuint size) =>
        new($"PooledGen: the operating system refused an arena of {size} bytes (VirtualAlloc failed with error {Marshal.GetLastPInvokeError()}).");

    private static bool CanVirtualAlloc()
    {
        try
        {
            void* probe = VirtualAlloc(null, 1 << 16, MemReserve, PageNoAccess);
            return probe != null && VirtualFree(probe, 0, MemRelease) != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("kernel32.dll", SetLastError = true)]
    private static partial void* VirtualAlloc(void* address, nuint size, uint allocationType, uint protection);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    private static partial int VirtualFree(void* address, nuint size, uint freeType);
}

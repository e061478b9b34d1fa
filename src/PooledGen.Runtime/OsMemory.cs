using System;
using System.Runtime.InteropServices;

namespace PooledGen;

/// <summary>
/// Arenas straight from the operating system, so that a released arena leaves the process (CPython's
/// <c>_PyObject_ArenaMmap</c>), and the calls that give a range's pages back while keeping its addresses
/// (mimalloc's purge). Taken from the C allocator instead (<see cref="NativeMemory.AlignedAlloc"/>, i.e. glibc's
/// <c>posix_memalign</c>), a freed arena went back to glibc, which kept it: RSS stayed up after <c>Trim()</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>call</term><description>Linux and macOS (<c>mmap</c>) · Windows (<c>VirtualAlloc</c>, untested here) · fallback</description></listheader>
/// <item><term><see cref="AllocateAligned"/></term><description>
///   <c>mmap</c> of size + alignment bytes, then <c>munmap</c> of the unaligned head and tail ·
///   reserve and commit with <c>VirtualAlloc</c>, aligned by over-reserving and re-reserving (OsMemory.Windows.cs) ·
///   <see cref="NativeMemory.AlignedAlloc"/></description></item>
/// <item><term><see cref="Decommit"/></term><description>
///   Linux <c>madvise(MADV_DONTNEED)</c>, macOS a fresh <c>mmap(MAP_FIXED)</c> over the range ·
///   <c>VirtualFree(MEM_DECOMMIT)</c> · nothing (returns false)</description></item>
/// <item><term><see cref="Recommit"/></term><description>nothing: the next touch faults a zero page in ·
///   <c>VirtualAlloc(MEM_COMMIT)</c> · nothing</description></item>
/// <item><term><see cref="Free"/></term><description><c>munmap</c> · <c>VirtualFree(MEM_RELEASE)</c> ·
///   <see cref="NativeMemory.AlignedFree"/></description></item>
/// <item><term><see cref="ResidentBytes"/></term><description><c>mincore</c> · -1 · <c>mincore</c> on Linux and
///   macOS, else -1</description></item>
/// </list>
/// Decommitted pages leave the process's RSS at once (not <c>MADV_FREE</c>, which leaves them counted until the
/// kernel is short of memory: users watch RSS) and read back as zeros, while the addresses stay the arena's.
/// The backend is chosen once per process, so every arena is freed the way it was taken.
/// </remarks>
internal static unsafe partial class OsMemory
{
    private static readonly nuint s_pageSize = (nuint)Environment.SystemPageSize;

    /// <summary>Where arenas come from, chosen once per process.</summary>
    public static readonly OsMemoryBackend Backend = ChooseBackend();

    /// <summary>
    /// True when a new arena reads as zeros (mmap, VirtualAlloc): a never-carved pool's header then says "in the arena"
    /// by itself, and the untyped free need not read the arena header to refuse a pointer into one.
    /// </summary>
    public static readonly bool ArenasComeZeroed = Backend != OsMemoryBackend.AlignedAlloc;

    /// <summary>True when arenas come from <c>mmap</c>; false when from <c>VirtualAlloc</c> or <see cref="NativeMemory.AlignedAlloc"/>.</summary>
    public static bool UsesMmap => Backend == OsMemoryBackend.Mmap;

    /// <summary>
    /// True when <see cref="Decommit"/> gives pages back (and they then read as zeros); false on the
    /// <see cref="NativeMemory.AlignedAlloc"/> fallback, where it does nothing.
    /// </summary>
    public static bool CanDecommit => Backend != OsMemoryBackend.AlignedAlloc;

    /// <summary>
    /// Takes <paramref name="size"/> bytes aligned to <paramref name="size"/> (a power of two, a multiple of the page).
    /// </summary>
    /// <exception cref="OutOfMemoryException">The operating system refused the memory; nothing was taken.</exception>
    public static byte* AllocateAligned(nuint size) => Backend switch
    {
        OsMemoryBackend.Mmap when IsWholePages(size) => MapAligned(size),
        OsMemoryBackend.VirtualAlloc => VirtualAllocAligned(size),
        _ => (byte*)NativeMemory.AlignedAlloc(size, size),
    };

    /// <summary>Gives an arena from <see cref="AllocateAligned"/> back to the operating system.</summary>
    public static void Free(byte* arena, nuint size)
    {
        switch (Backend)
        {
            case OsMemoryBackend.Mmap when IsWholePages(size):
                Unmap((nuint)arena, size);
                break;
            case OsMemoryBackend.VirtualAlloc:
                VirtualRelease(arena);
                break;
            default:
                NativeMemory.AlignedFree(arena);
                break;
        }
    }

    /// <summary>
    /// Gives the pages of a range inside an arena back to the operating system, keeping the addresses: the range
    /// leaves the process's RSS (Windows: its commit charge) at once and reads back as zeros. On Windows the range
    /// must be recommitted with <see cref="Recommit"/> before it is touched again; on Linux and macOS the next touch
    /// faults a zero page in.
    /// </summary>
    /// <returns>
    /// True when the pages were given back. False, with the range unchanged, on the
    /// <see cref="NativeMemory.AlignedAlloc"/> fallback (see <see cref="CanDecommit"/>), when the range is not whole
    /// pages (a pool smaller than the page on a 16 KiB-page machine), or when the system refused (locked pages).
    /// </returns>
    public static bool Decommit(byte* address, nuint length)
    {
        if (length == 0 || !IsWholePages((nuint)address) || !IsWholePages(length))
        {
            return false;
        }

        return Backend switch
        {
            OsMemoryBackend.Mmap => DecommitMapped(address, length),
            OsMemoryBackend.VirtualAlloc => VirtualDecommit(address, length),
            _ => false,
        };
    }

    /// <summary>
    /// Retires a disposed heap's arena: its memory goes back to the operating system while its range stays reserved as
    /// read-only zero pages (the kernel's shared zero page: nothing resident), so that a late free of one of its blocks
    /// reads a zeroed header and is refused instead of faulting. False where that cannot be done (not mmap): the caller
    /// then frees the arena outright.
    /// </summary>
    public static bool TryRetire(byte* arena, nuint size) =>
        Backend == OsMemoryBackend.Mmap && IsWholePages(size) && RemapReadOnly(arena, size);

    /// <summary>
    /// Makes a range given back with <see cref="Decommit"/> usable again. Windows: <c>VirtualAlloc(MEM_COMMIT)</c>
    /// (the pages are zeros); Linux, macOS and the fallback: nothing to do.
    /// </summary>
    /// <exception cref="OutOfMemoryException">Windows refused the commit (the commit limit is reached); the range stays unusable.</exception>
    public static void Recommit(byte* address, nuint length)
    {
        if (Backend == OsMemoryBackend.VirtualAlloc && length != 0)
        {
            VirtualRecommit(address, length);
        }
    }

    /// <summary>
    /// Bytes of the pages overlapping the range that are resident in RAM (<c>mincore</c>), or -1 where that cannot be
    /// told: on Windows, without <c>mincore</c>, or for a range that is not mapped. For tests and the arena map.
    /// A page only read (never written) since it was mapped or decommitted maps the kernel's shared zero page:
    /// <c>mincore</c> counts it here, though it costs the process no RAM and no RSS.
    /// </summary>
    public static long ResidentBytes(byte* address, nuint length) =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? CountResident(address, length) : -1;

    private static bool IsWholePages(nuint value) => value % s_pageSize == 0;

    private static OsMemoryBackend ChooseBackend()
    {
        if ((OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && CanMap())
        {
            return OsMemoryBackend.Mmap;
        }

        return OperatingSystem.IsWindows() && CanVirtualAlloc() ? OsMemoryBackend.VirtualAlloc : OsMemoryBackend.AlignedAlloc;
    }
}

/// <summary>Where <see cref="OsMemory"/> takes arenas from.</summary>
internal enum OsMemoryBackend
{
    /// <summary><c>mmap</c>/<c>munmap</c>/<c>madvise</c> (Linux, macOS).</summary>
    Mmap,

    /// <summary><c>VirtualAlloc</c>/<c>VirtualFree</c> (Windows).</summary>
    VirtualAlloc,

    /// <summary><see cref="NativeMemory.AlignedAlloc"/>: no decommit; a platform where neither of the others can be called.</summary>
    AlignedAlloc,
}

namespace PooledGen;

// Retiring a disposed heap's arena: its address range stays reserved as read-only zero pages, so that a late free of
// one of its blocks reads a zeroed header (no owner, no heap) and is refused with an exception, not a fault.
internal static unsafe partial class OsMemory
{
    private const int ProtReadOnly = 0x1;
    private const int MapFixed = 0x10; // Linux, macOS and the BSDs alike

    /// <summary>
    /// Replaces an arena from <see cref="AllocateAligned"/> by read-only zero pages at the same addresses: its memory
    /// goes back to the operating system (the zero page is shared, so nothing stays resident) while reads of its headers
    /// keep working. False when this platform cannot (arenas not from mmap): the caller then frees the arena outright.
    /// </summary>
    public static bool TryRetire(byte* arena, nuint size)
    {
        if (!Maps(size))
        {
            return false;
        }

        nint mapped = mmap((nint)arena, size, ProtReadOnly, MapFixed | MapPrivate | s_mapAnonymous, -1, 0);
        return mapped == (nint)arena;
    }
}

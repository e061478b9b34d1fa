using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PooledGen;

/// <summary>
/// A set of arenas kept as a two-level radix tree over addresses in native memory (pymalloc's <c>arena_map</c>, with
/// one level less because our arenas are aligned to their size): "is this address in one of our arenas?" costs two
/// dependent loads and no hashing, and adding or removing an arena never allocates on the GC heap.
/// </summary>
/// <remarks>
/// <code>
///   address (48 bits covered):  | window: bits 47..36 | arena: bits 35..log2(ArenaSize) | offset in the arena |
///
///   root: 4096 leaf pointers, one per 64 GiB window of the address space (32 KiB, allocated with the map)
///   leaf: a bitmap, one bit per arena-sized slot of its window: 2^(36 - log2 ArenaSize) bits, allocated zeroed
///         the first time an arena lands in its window and never freed
/// </code>
/// Memory: the root takes 32 KiB; a leaf takes 2^(33 - log2 ArenaSize) bytes (128 KiB for 64 KiB arenas, 32 KiB for
/// 256 KiB, 8 KiB for the default 1 MiB, 8 bytes for 1 GiB), and only its pages holding set bits become resident
/// (one 4 KiB page covers 32,768 arenas). The kernel places mappings close together, so a process uses one or two
/// leaves. The worst case, an arena in every one of the 4096 windows, is 2^(45 - log2 ArenaSize) bytes (512 MiB at
/// 64 KiB arenas, 32 MiB at the default 1 MiB) and needs at least 4096 arenas spread over all 256 TiB.
/// <para>
/// Readers take no lock: a leaf is published with a volatile write after it is zeroed, so a reader sees either no
/// leaf or a complete one, and a bit is set with a volatile write after the arena's header is written. Writers
/// (<see cref="Add"/>, <see cref="Remove"/>) must be serialized by the caller. Addresses at or above 2^48 are not
/// covered: x64 user space ends below 2^47 and arm64's at 2^48; with 5-level paging (LA57) Linux maps above 2^47
/// only for a caller that asks with a hint, which PooledGen never gives. <see cref="Contains"/> answers false
/// for them and <see cref="Add"/> refuses them.
/// </para>
/// </remarks>
internal readonly unsafe struct ArenaAddressMap
{
    /// <summary>Addresses below 2^CoveredAddressBits can be registered.</summary>
    public const int CoveredAddressBits = 48;

    // Each leaf covers a 64 GiB window, so the root has 4096 entries whatever the arena size.
    private const int WindowShift = 36;
    private const int RootLength = 1 << (CoveredAddressBits - WindowShift);
    private const ulong OffsetInWindowMask = (1UL << WindowShift) - 1;

    // Slot 0 holds log2 of the arena size (0 until the first Add); slots 1..RootLength the leaves (0 = no leaf yet).
    private readonly nint* _slots;

    private ArenaAddressMap(nint* slots) => _slots = slots;

    /// <summary>An empty map: allocates its 32 KiB root.</summary>
    public static ArenaAddressMap Create() => new((nint*)NativeMemory.AllocZeroed(RootLength + 1, (nuint)sizeof(nint)));

    /// <summary>
    /// True when <paramref name="address"/> lies in a registered arena. Takes no lock and allocates nothing; an
    /// address in a window where no arena was ever registered (every address before the first <see cref="Add"/>)
    /// returns at the first load.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(nuint address)
    {
        ulong window = (ulong)address >> WindowShift;
        if (window >= RootLength)
        {
            return false;
        }

        ulong* leaf = (ulong*)Volatile.Read(ref _slots[1 + (nint)window]);
        if (leaf == null)
        {
            return false;
        }

        // The shift was written before the first leaf was published, so the acquire above makes it visible.
        ulong arena = ((ulong)address & OffsetInWindowMask) >> (int)_slots[0];
        return (Volatile.Read(ref leaf[arena >> 6]) & (1UL << (int)arena)) != 0;
    }

    /// <summary>
    /// Registers the arena at <paramref name="arenaBase"/>, of <paramref name="arenaSize"/> bytes and aligned to
    /// it. The caller serializes writers. On failure nothing has changed.
    /// </summary>
    /// <exception cref="InvalidOperationException">The arena lies at or above 2^48, or is registered already.</exception>
    /// <exception cref="OutOfMemoryException">No native memory for a new leaf.</exception>
    public void Add(nuint arenaBase, int arenaSize)
    {
        int arenaShift = CheckArena(arenaBase, arenaSize);
        if ((ulong)arenaBase >> CoveredAddressBits != 0)
        {
            throw new InvalidOperationException(
                $"PooledGen: the operating system placed an arena at 0x{(ulong)arenaBase:X}, at or above 2^{CoveredAddressBits}, " +
                "outside the addresses the arena registry covers (x64 and arm64 user space ends below 2^48; 5-level paging " +
                "maps there only when asked). The arena was not registered; please report this with your OS and CPU.");
        }

        ref nint leafSlot = ref _slots[1 + (nint)((ulong)arenaBase >> WindowShift)];
        var leaf = (ulong*)leafSlot;
        if (leaf == null)
        {
            nuint words = Math.Max((nuint)1, (nuint)1 << (WindowShift - arenaShift - 6));
            leaf = (ulong*)NativeMemory.AllocZeroed(words, sizeof(ulong));
            _slots[0] = arenaShift;
            Volatile.Write(ref leafSlot, (nint)leaf);
        }

        ulong arena = ((ulong)arenaBase & OffsetInWindowMask) >> arenaShift;
        ref ulong word = ref leaf[arena >> 6];
        ulong bit = 1UL << (int)arena;
        if ((word & bit) != 0)
        {
            throw new InvalidOperationException($"PooledGen: the arena at 0x{(ulong)arenaBase:X} is registered already; please report this.");
        }

        Volatile.Write(ref word, word | bit);
    }

    /// <summary>Unregisters an arena about to be returned to the operating system. The caller serializes writers.</summary>
    /// <exception cref="InvalidOperationException">The arena is not registered.</exception>
    public void Remove(nuint arenaBase, int arenaSize)
    {
        int arenaShift = CheckArena(arenaBase, arenaSize);
        ulong window = (ulong)arenaBase >> WindowShift;
        ulong* leaf = window < RootLength ? (ulong*)_slots[1 + (nint)window] : null;
        ulong arena = ((ulong)arenaBase & OffsetInWindowMask) >> arenaShift;
        ulong bit = 1UL << (int)arena;
        if (leaf == null || (leaf[arena >> 6] & bit) == 0)
        {
            throw new InvalidOperationException($"PooledGen: the arena at 0x{(ulong)arenaBase:X} is not registered; please report this.");
        }

        Volatile.Write(ref leaf[arena >> 6], leaf[arena >> 6] & ~bit);
    }

    /// <summary>Frees the root and every leaf. Only for maps made by tests: the process's map lives as long as it.</summary>
    public void Free()
    {
        for (int i = 1; i <= RootLength; i++)
        {
            NativeMemory.Free((void*)_slots[i]);
        }

        NativeMemory.Free(_slots);
    }

    // The arena size is fixed for the process: one map never sees two sizes, so the shift stored with the first leaf
    // serves every later lookup.
    private int CheckArena(nuint arenaBase, int arenaSize)
    {
        if (!BitOperations.IsPow2(arenaSize) || arenaSize < PooledHeapOptions.MinArenaSize || arenaSize > PooledHeapOptions.MaxArenaSize)
        {
            throw new ArgumentOutOfRangeException(nameof(arenaSize), arenaSize, "PooledGen: an arena size is a power of two from 64 KiB to 1 GiB.");
        }

        int arenaShift = BitOperations.Log2((uint)arenaSize);
        if (_slots[0] != 0 && _slots[0] != arenaShift)
        {
            throw new InvalidOperationException(
                $"PooledGen: the arena registry holds arenas of {1L << (int)_slots[0]} bytes and was given one of {arenaSize}; please report this.");
        }

        if ((arenaBase & (nuint)(arenaSize - 1)) != 0)
        {
            throw new ArgumentException($"PooledGen: 0x{(ulong)arenaBase:X} is not aligned to the arena size {arenaSize}.", nameof(arenaBase));
        }

        return arenaShift;
    }
}

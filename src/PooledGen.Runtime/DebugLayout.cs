using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PooledGen;

/// <summary>
/// The layout of a block in a debug heap (CPython's <c>PYTHONMALLOC=debug</c>, adapted): the user's bytes sit
/// between guard bytes, with a small header in front that holds the requested size and the allocation's stamp.
/// </summary>
/// <remarks>
/// <code>
///   raw block (a pool block of a larger class, or a large block)
///   +-----------+-----------+-----------+-----------+-----------------------+-----------------------+
///   | [0xFD...] | size, pfx |   stamp   | 0xFD x 16 | user's bytes (zeroed) | 0xFD ... to block end |
///   +-----------+-----------+-----------+-----------+-----------------------+-----------------------+
///   raw         user-32     user-24     user-16     user = raw + prefix      user + size
/// </code>
/// The prefix is 32 bytes, or the struct's alignment when that is larger (64 for a <c>Vector512</c>), so the user's
/// bytes keep their alignment; a free list link (the raw block's first 8 bytes) never touches the stamp. The stamp
/// has its top bit set (no user-space pointer has), is even while the block is live and odd once it is freed, and
/// is never reused: a handle whose stamp differs from its block's is stale.
/// </remarks>
internal static unsafe class DebugLayout
{
    /// <summary>The guard byte, before and after the user's bytes (pymalloc's FORBIDDENBYTE).</summary>
    public const byte GuardByte = 0xFD;

    /// <summary>The byte a freed block's user bytes are filled with (pymalloc's DEADBYTE).</summary>
    public const byte DeadByte = 0xDD;

    /// <summary>Guard bytes right before the user's bytes.</summary>
    public const int GuardBefore = 16;

    /// <summary>The fewest guard bytes after the user's bytes; the rest of the block is guard too.</summary>
    public const int MinGuardAfter = 16;

    /// <summary>The smallest prefix: header (size, prefix, stamp) and the guard before.</summary>
    public const int MinPrefix = 32;

    private const ulong LiveTag = 1UL << 63;
    private const ulong FreedBit = 1;

    private static long s_lastStamp;

    /// <summary>Bytes from the raw block to the user's bytes, for a user alignment of <paramref name="alignment"/> (16 or more).</summary>
    public static int PrefixFor(int alignment) => Math.Max(MinPrefix, alignment);

    /// <summary>
    /// The smallest class whose blocks hold <paramref name="needed"/> bytes and start on an
    /// <paramref name="alignment"/> boundary (a block size that is a multiple of it); -1 for the large-object path.
    /// </summary>
    public static int SizeClassFor(nuint needed, int alignment)
    {
        if (needed > PooledHeap.SmallObjectThreshold || alignment > SizeClass.MaxBlockAlignment)
        {
            return -1;
        }

        for (int c = SizeClass.Of(needed); c < SizeClass.Count; c++)
        {
            if (SizeClass.BlockSize(c) % alignment == 0)
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>The bits of a handle that hold the address: x64 user addresses are below 2^48.</summary>
    public const ulong AddressMask = (1UL << TagShift) - 1;

    /// <summary>Where a handle's generation tag starts (process-wide debug mode only).</summary>
    public const int TagShift = 48;

    /// <summary>
    /// The generation tag of an allocation, 1 to 65,535 (never 0, so a tagged handle always has high bits set): what a
    /// handle carries in its high bits while the process-wide switch is on. Successive allocations of a block get
    /// different tags; a stale handle is mistaken for a live one only after 65,535 reallocations of its block.
    /// </summary>
    public static ushort Tag(ulong stamp) => (ushort)((((stamp & ~LiveTag) >> 1) % 0xFFFF) + 1);

    /// <summary>A handle for the user's bytes at <paramref name="user"/>, tagged with the allocation's generation.</summary>
    public static void* Tagged(byte* user, ulong stamp)
    {
        System.Diagnostics.Debug.Assert(((ulong)user & ~AddressMask) == 0, "x64 user addresses fit in 48 bits");
        return (void*)((nuint)user | ((nuint)Tag(stamp) << TagShift));
    }

    /// <summary>The address in a handle, without its tag.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Untag(void* handle) => (void*)((ulong)handle & AddressMask);

    /// <summary>The tag in a handle; 0 for an untagged one.</summary>
    public static ushort TagOfHandle(void* handle) => (ushort)((nuint)handle >> TagShift);

    /// <summary>A new stamp, never given before in this process.</summary>
    public static ulong NextStamp() => LiveTag | (ulong)Interlocked.Add(ref s_lastStamp, 2);

    /// <summary>The stamp in the header of the block whose user's bytes start at <paramref name="user"/>.</summary>
    public static ref ulong StampOf(byte* user) => ref *(ulong*)(user - 24);

    /// <summary>Lays a new debug block out in <paramref name="raw"/> and returns the address of the user's (zeroed) bytes.</summary>
    public static byte* Format(byte* raw, int prefix, nuint size, nuint blockSize, ulong stamp)
    {
        byte* user = raw + prefix;
        NativeMemory.Fill(raw, (nuint)prefix, GuardByte);
        *(uint*)(user - 32) = (uint)size;
        *(uint*)(user - 28) = (uint)prefix;
        StampOf(user) = stamp;
        NativeMemory.Clear(user, size);
        NativeMemory.Fill(user + size, blockSize - (nuint)prefix - size, GuardByte);
        return user;
    }

    /// <summary>Marks a block freed: its user's bytes become dead bytes and its stamp odd.</summary>
    public static void Kill(byte* user, nuint size)
    {
        NativeMemory.Fill(user, size, DeadByte);
        StampOf(user) |= FreedBit;
    }

    /// <summary>Throws <see cref="PoolCorruptionException"/> for the first broken guard byte of a live block.</summary>
    public static void CheckGuards(LiveAllocation block, string typeName)
    {
        var user = (byte*)block.Address;
        for (int i = 1; i <= GuardBefore; i++)
        {
            if (user[-i] != GuardByte)
            {
                throw new PoolCorruptionException(block, typeName, GuardPosition.Before, -i, user[-i]);
            }
        }

        byte* end = user - block.Prefix + block.BlockSize;
        for (byte* p = user + block.Size; p < end; p++)
        {
            if (*p != GuardByte)
            {
                throw new PoolCorruptionException(block, typeName, GuardPosition.After, p - user, *p);
            }
        }
    }

    /// <summary>
    /// True when <paramref name="user"/>, an address in a live arena of a debug heap that is no live block, is where a
    /// block that has been freed handed out its bytes: its raw block holds no live block (<paramref name="live"/>, the
    /// heap's live blocks by user address), its header and guards are where that prefix puts them, and its stamp says
    /// freed. Anything less could be the user's own bytes read as a header (an interior pointer). Reads only its own
    /// arena's headers and the block's own prefix.
    /// </summary>
    public static bool LooksFreed(byte* user, System.Collections.Generic.Dictionary<nuint, LiveAllocation> live)
    {
        Arena* arena = Arena.Of(user);
        Pool* pool = Pool.Of(user);
        if (Arena.PoolIndex(arena, pool) >= arena->CarvedPools || pool->BlockSize == 0)
        {
            return false;
        }

        nint offset = (nint)(user - (byte*)pool) - pool->FirstOffset;
        if (offset < MinPrefix)
        {
            return false;
        }

        byte* raw = (byte*)pool + pool->FirstOffset + offset / pool->BlockSize * pool->BlockSize;
        nint prefix = (nint)(user - raw);
        if (raw >= (byte*)pool + pool->NextOffset || (prefix != MinPrefix && prefix != SizeClass.MaxBlockAlignment))
        {
            return false;
        }

        if (live.ContainsKey((nuint)raw + MinPrefix) || live.ContainsKey((nuint)raw + SizeClass.MaxBlockAlignment))
        {
            return false;
        }

        // The prefix field of a 32-byte prefix is in the raw block's first 8 bytes, where the free list link goes.
        if (prefix != MinPrefix && *(uint*)(user - 28) != (uint)prefix)
        {
            return false;
        }

        for (int i = 1; i <= GuardBefore; i++)
        {
            if (user[-i] != GuardByte)
            {
                return false;
            }
        }

        ulong stamp = StampOf(user);
        return (stamp & LiveTag) != 0 && (stamp & FreedBit) != 0;
    }

    /// <summary>The block size a release heap would use for <paramref name="size"/> bytes; 0 for the large-object path.</summary>
    public static int ReleaseBlockSize(long size) =>
        size > PooledHeap.SmallObjectThreshold ? 0 : size == 0 ? SizeClass.Spacing : SizeClass.BlockSize(SizeClass.Of((nuint)size));

    /// <summary>The name reports give a type: its registered <c>[Pooled]</c> name, else its CLR name.</summary>
    public static string NameOf(Type? type) => type is null ? "untyped" : TypeRegistry.NameOf(type) ?? type.Name;

    /// <summary>The caller's stack trace with file and line numbers (debug mode only: it allocates).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static System.Diagnostics.StackTrace Capture() => new(1, fNeedFileInfo: true);
}

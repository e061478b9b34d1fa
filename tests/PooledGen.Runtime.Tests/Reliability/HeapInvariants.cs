using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace PooledGen.Reliability;

/// <summary>
/// A block a test believes to be live: where it is, how many bytes were asked for, which alignment it was promised
/// and the cookie its pattern was made from. <see cref="IsLarge"/> says whether the heap should have served it from
/// the large-object path (over 512 bytes, or aligned more strictly than a pool can honour).
/// </summary>
internal readonly record struct LiveBlock(nint Address, int Size, int Alignment, bool IsLarge, ulong Cookie)
{
    /// <summary>The size class that serves the block (meaningful when it is not large); a request of 0 bytes gets class 0.</summary>
    public int SizeClass => (Math.Max(Size, 1) - 1) >> 4;

    /// <summary>The bytes the block really spans: its class's block size, or the requested size on the large path.</summary>
    public int Extent => IsLarge ? Size : (SizeClass + 1) << 4;

    public override string ToString() =>
        $"0x{Address:X} ({Size} bytes, align {Alignment}, {(IsLarge ? "large" : $"class {SizeClass}")})";
}

/// <summary>An invariant of the heap does not hold. The message says which, and about which block.</summary>
internal sealed class HeapInvariantException(string message) : Exception(message);

/// <summary>
/// The invariants every reliability test checks, against the heap's public surface only (so the soak runner can
/// link this file): blocks hold their patterns, do not overlap, lie inside an arena found by masking, are aligned,
/// a pool holds blocks of one class only, and the statistics agree with the live blocks exactly.
/// </summary>
internal static unsafe class HeapInvariants
{
    // The pool header drawn at the top of PooledHeap.cs: no block starts in it.
    private const int PoolHeaderBytes = 128;

    /// <summary>
    /// Writes the pattern of <paramref name="cookie"/> into a block: the cookie itself in the first 8 bytes (where a
    /// free list would write its link), then a fill byte taken from the cookie.
    /// </summary>
    public static void Fill(nint address, int size, ulong cookie)
    {
        var bytes = new Span<byte>((void*)address, size);
        Span<byte> head = stackalloc byte[sizeof(ulong)];
        BitConverter.TryWriteBytes(head, cookie);
        int headLength = Math.Min(size, sizeof(ulong));
        head[..headLength].CopyTo(bytes);
        bytes[headLength..].Fill(FillByte(cookie));
    }

    /// <summary>Null when the block still holds the pattern of its cookie, else a description of the first wrong byte.</summary>
    public static string? PatternFault(nint address, int size, ulong cookie)
    {
        var bytes = new ReadOnlySpan<byte>((void*)address, size);
        Span<byte> head = stackalloc byte[sizeof(ulong)];
        BitConverter.TryWriteBytes(head, cookie);
        int headLength = Math.Min(size, sizeof(ulong));
        int wrong = bytes[..headLength].SequenceEqual(head[..headLength])
            ? bytes[headLength..].IndexOfAnyExcept(FillByte(cookie)) is var i and >= 0 ? headLength + i : -1
            : bytes[..headLength].CommonPrefixLength(head[..headLength]);
        return wrong < 0 ? null : $"byte {wrong} of {size} is 0x{bytes[wrong]:X2}, not the pattern of cookie 0x{cookie:X16}";
    }

    /// <summary>A cookie that differs from block to block: a serial number spread over all 64 bits.</summary>
    public static ulong Cookie(long serial) => ((ulong)serial + 1) * 0x9E3779B97F4A7C15UL;

    /// <summary>Throws when a block does not hold its pattern.</summary>
    public static void CheckPattern(in LiveBlock block)
    {
        if (PatternFault(block.Address, block.Size, block.Cookie) is { } fault)
        {
            throw new HeapInvariantException($"block {block} was overwritten: {fault}");
        }
    }

    /// <summary>
    /// Checks every invariant of <paramref name="heap"/> holding exactly <paramref name="live"/>, starting with the
    /// heap's own walk (<c>ArenaHeap.Validate</c>). Call it when no other thread allocates or frees in the heap: the
    /// block counts are then exact.
    /// </summary>
    public static void Check(ArenaHeap heap, IReadOnlyCollection<LiveBlock> live)
    {
        // The heap's own walk first: every arena, pool, list and thread heap against the invariants of Headers.cs.
        heap.Validate();
        if (!heap.IsDebugEnabled)
        {
            Check(heap.GetStatistics(), live);
            return;
        }

        // A debug block sits behind a guard prefix in a larger class, or on the large path: its user bytes are what
        // the test knows, and the heap's own record of live blocks must name exactly the same ones.
        PooledHeapStatistics stats = heap.GetStatistics();
        foreach (LiveBlock block in live)
        {
            CheckPattern(block);
            CheckAlignment(block);
        }

        CheckNoOverlap(live.Select(b => b with { IsLarge = true }));
        var recorded = heap.GetLiveAllocations().Select(a => (nint)a.Address).ToHashSet();
        long blocks = stats.SizeClasses.Sum(s => s.BlocksInUse) + stats.LargeObjectCount;
        if (!recorded.SetEquals(live.Select(b => b.Address)) || blocks != live.Count)
        {
            throw new HeapInvariantException(
                $"the debug heap records {recorded.Count} live blocks and counts {blocks}, the model holds {live.Count}");
        }

        var errors = new StringBuilder();
        CheckHeapAccounts(stats, errors, arenasInUse: 0);
        if (errors.Length > 0)
        {
            throw new HeapInvariantException($"the debug heap's accounts do not add up:{Environment.NewLine}{errors}");
        }
    }

    /// <summary>Checks a statistics snapshot against the live blocks it should describe (a release heap).</summary>
    public static void Check(PooledHeapStatistics stats, IReadOnlyCollection<LiveBlock> live)
    {
        nuint arenaMask = ~(nuint)(stats.ArenaSize - 1);
        nuint poolMask = ~(nuint)(stats.PoolSize - 1);
        var blocksPerClass = new long[stats.SizeClasses.Count];
        var arenas = new HashSet<nuint>();
        var poolClass = new Dictionary<nuint, int>();
        var poolsPerClass = new HashSet<nuint>[stats.SizeClasses.Count];
        long largeCount = 0, largeBytes = 0, smallBytes = 0;

        foreach (LiveBlock block in live)
        {
            CheckPattern(block);
            CheckAlignment(block);
            if (block.IsLarge)
            {
                largeCount++;
                largeBytes += block.Size;
                continue;
            }

            nuint address = (nuint)block.Address;
            nuint arena = address & arenaMask;
            if (address + (nuint)block.Extent > arena + (nuint)stats.ArenaSize)
            {
                throw new HeapInvariantException($"block {block} runs past the end of its arena 0x{arena:X}");
            }

            nuint pool = address & poolMask;
            if (address + (nuint)block.Extent > pool + (nuint)stats.PoolSize || address - pool < PoolHeaderBytes)
            {
                throw new HeapInvariantException($"block {block} is not inside the blocks of its pool 0x{pool:X}");
            }

            if (poolClass.TryGetValue(pool, out int otherClass) && otherClass != block.SizeClass)
            {
                throw new HeapInvariantException($"pool 0x{pool:X} holds blocks of classes {otherClass} and {block.SizeClass}; block {block}");
            }

            poolClass[pool] = block.SizeClass;
            (poolsPerClass[block.SizeClass] ??= []).Add(pool);
            arenas.Add(arena);
            blocksPerClass[block.SizeClass]++;
            smallBytes += block.Extent;
        }

        CheckNoOverlap(live);

        var errors = new StringBuilder();
        void Expect(bool holds, string what)
        {
            if (!holds)
            {
                errors.AppendLine(what);
            }
        }

        for (int c = 0; c < stats.SizeClasses.Count; c++)
        {
            SizeClassStatistics s = stats.SizeClasses[c];
            int pools = poolsPerClass[c]?.Count ?? 0;
            Expect(s.BlocksInUse == blocksPerClass[c], $"class {c}: statistics say {s.BlocksInUse} blocks in use, the model holds {blocksPerClass[c]}");
            Expect(s.BlocksFree >= 0, $"class {c}: {s.BlocksFree} free blocks");
            Expect(s.PoolsInUse >= pools, $"class {c}: {s.PoolsInUse} pools in use, but live blocks lie in {pools} pools");
            Expect(s.BlocksInUse + s.BlocksFree <= s.PoolsInUse * (stats.PoolSize / s.BlockSize),
                $"class {c}: {s.BlocksInUse} used + {s.BlocksFree} free blocks do not fit in {s.PoolsInUse} pools");
        }

        Expect(stats.LargeObjectCount == largeCount, $"statistics say {stats.LargeObjectCount} large blocks, the model holds {largeCount}");
        Expect(stats.LargeObjectBytes == largeBytes, $"statistics say {stats.LargeObjectBytes} large-block bytes, the model holds {largeBytes}");
        Expect(stats.BytesInUse == smallBytes + largeBytes, $"statistics say {stats.BytesInUse} bytes in use, the model holds {smallBytes + largeBytes}");
        CheckHeapAccounts(stats, errors, arenas.Count);
        if (errors.Length > 0)
        {
            throw new HeapInvariantException($"the statistics disagree with the {live.Count} live blocks:{Environment.NewLine}{errors}");
        }
    }

    /// <summary>The figures that must add up whatever is live: arenas, reserved bytes, pools. Appends what does not.</summary>
    private static void CheckHeapAccounts(PooledHeapStatistics stats, StringBuilder errors, int arenasInUse)
    {
        void Expect(bool holds, string what)
        {
            if (!holds)
            {
                errors.AppendLine(what);
            }
        }

        Expect(stats.ArenasCurrent >= arenasInUse, $"statistics say {stats.ArenasCurrent} arenas, but live blocks lie in {arenasInUse}");
        Expect(stats.ArenasCurrent == stats.ArenasAllocated - stats.ArenasReleased,
            $"{stats.ArenasCurrent} arenas current, but {stats.ArenasAllocated} allocated - {stats.ArenasReleased} released");
        Expect(stats.ArenasHighWater >= stats.ArenasCurrent, $"high water {stats.ArenasHighWater} is below the {stats.ArenasCurrent} current arenas");
        Expect(stats.BytesReserved == stats.ArenasCurrent * stats.ArenaSize + stats.LargeObjectBytes,
            $"{stats.BytesReserved} bytes reserved, but {stats.ArenasCurrent} arenas of {stats.ArenaSize} and {stats.LargeObjectBytes} large bytes are held");
        Expect(stats.MaxReservedBytes == 0 || stats.BytesReserved <= stats.MaxReservedBytes,
            $"{stats.BytesReserved} bytes reserved, over the cap of {stats.MaxReservedBytes}");
        long poolsInUse = stats.SizeClasses.Sum(s => s.PoolsInUse);
        Expect(stats.FreePools >= 0 && stats.FreePools + poolsInUse == stats.ArenasCurrent * (stats.ArenaSize / stats.PoolSize),
            $"{stats.FreePools} free pools + {poolsInUse} in use is not {stats.ArenasCurrent} arenas of {stats.ArenaSize / stats.PoolSize} pools");
        Expect(stats.AbandonedPools >= 0 && stats.AbandonedPools <= poolsInUse, $"{stats.AbandonedPools} abandoned pools of {poolsInUse} in use");
    }

    private static void CheckAlignment(in LiveBlock block)
    {
        int alignment = Math.Max(block.Alignment, 16);
        if (block.Address % alignment != 0)
        {
            throw new HeapInvariantException($"block {block} is not aligned to {alignment} bytes");
        }
    }

    /// <summary>Throws when two blocks share a byte.</summary>
    public static void CheckNoOverlap(IEnumerable<LiveBlock> live)
    {
        LiveBlock[] byAddress = live.OrderBy(b => (nuint)b.Address).ToArray();
        for (int i = 1; i < byAddress.Length; i++)
        {
            LiveBlock a = byAddress[i - 1], b = byAddress[i];
            if ((nuint)a.Address + (nuint)Math.Max(a.Extent, 1) > (nuint)b.Address)
            {
                throw new HeapInvariantException($"blocks {a} and {b} overlap");
            }
        }
    }

    /// <summary>
    /// With nothing live: <see cref="ArenaHeap.Trim"/> must give every arena back. Threads that used the heap must
    /// have ended and been collected first (their empty current pools are given back when they are abandoned).
    /// </summary>
    public static void CheckEverythingReturned(ArenaHeap heap)
    {
        heap.Trim();
        Check(heap, []);
        PooledHeapStatistics stats = heap.GetStatistics();
        if (stats.ArenasCurrent != 0 || stats.BytesReserved != 0 || stats.AbandonedPools != 0 || stats.SizeClasses.Any(s => s.PoolsInUse != 0))
        {
            throw new HeapInvariantException(
                $"after freeing everything and Trim(): {stats.ArenasCurrent} arenas, {stats.BytesReserved} bytes reserved, " +
                $"{stats.AbandonedPools} abandoned pools, {stats.SizeClasses.Sum(s => s.PoolsInUse)} pools in use (expected none)");
        }
    }

    private static byte FillByte(ulong cookie) => (byte)((cookie >> 56) | 1);
}

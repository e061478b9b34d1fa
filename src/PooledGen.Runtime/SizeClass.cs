using System.Runtime.CompilerServices;

namespace PooledGen;

/// <summary>
/// The 32 size classes of small blocks: 16, 32, 48, … 512 bytes. A request of n bytes (1 ≤ n ≤ 512) is served by
/// class <c>(n - 1) &gt;&gt; 4</c>, whose blocks are <c>(class + 1) &lt;&lt; 4</c> bytes, as in CPython's obmalloc.
/// </summary>
internal static class SizeClass
{
    /// <summary>
    /// The spacing between classes, which is also the smallest alignment of every block: blocks of class c start
    /// at a multiple of their own size's largest power-of-two factor (up to <see cref="MaxBlockAlignment"/>),
    /// and every block size is a multiple of 16.
    /// </summary>
    public const int Spacing = 16;

    /// <summary>log2 of <see cref="Spacing"/>: the shift that turns a size into a class index.</summary>
    public const int SpacingShift = 4;

    /// <summary>The number of classes: one per 16 bytes up to the small-object threshold.</summary>
    public const int Count = PooledHeap.SmallObjectThreshold / Spacing;

    /// <summary>
    /// The largest alignment a pool can honour. The first block of every pool sits at a multiple of 64 from the
    /// pool's start, so a block whose size is a multiple of 32 or 64 lands on a 32- or 64-byte boundary. A struct
    /// always has a size that is a multiple of its alignment, so a struct aligned to 32 (a <c>Vector256</c>) or
    /// 64 (a <c>Vector512</c>) is aligned in its class. Stricter alignments go to the large-object path.
    /// </summary>
    public const int MaxBlockAlignment = 64;

    /// <summary>The class that serves <paramref name="size"/> bytes (1 to 512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(nuint size) => (int)((size - 1) >> SpacingShift);

    /// <summary>The block size of <paramref name="sizeClass"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BlockSize(int sizeClass) => (sizeClass + 1) << SpacingShift;
}

/// <summary>
/// What the allocator needs to know about <typeparamref name="T"/>, all of it from <c>sizeof</c>, which the JIT
/// knows when it compiles code for a struct: every member folds to a constant in the typed fast path.
/// </summary>
/// <typeparam name="T">The struct being allocated.</typeparam>
internal static unsafe class BlockLayout<T> where T : unmanaged
{
    /// <summary>
    /// T's alignment: the offset the runtime gives a T placed after one byte. A struct's size is a multiple of
    /// its alignment, so <c>sizeof(probe) - sizeof(T)</c> is exactly the padding before the T.
    /// </summary>
    public static int Alignment
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => sizeof(AlignmentProbe) - sizeof(T);
    }

    /// <summary>True when T is too big for a pool, or needs an alignment a pool cannot give.</summary>
    public static bool IsLarge
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => sizeof(T) > PooledHeap.SmallObjectThreshold || Alignment > SizeClass.MaxBlockAlignment;
    }

    /// <summary>
    /// True when T fits a pool in release mode but not with a debug heap's header and guards, so that a debug heap
    /// puts T on the large-object path: a typed free of such a handle must not take it for a pool block.
    /// </summary>
    public static bool IsLargeInDebugOnly
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !IsLarge && DebugLayout.PrefixFor(Alignment) + sizeof(T) + DebugLayout.MinGuardAfter > PooledHeap.SmallObjectThreshold;
    }

    /// <summary>The size class of T (meaningful when <see cref="IsLarge"/> is false).</summary>
    public static int Class
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (sizeof(T) - 1) >> SizeClass.SpacingShift;
    }

    /// <summary>The alignment the large-object path gives T: at least 16, as for every block.</summary>
    public static nuint LargeAlignment
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (nuint)(Alignment > SizeClass.Spacing ? Alignment : SizeClass.Spacing);
    }

    private struct AlignmentProbe
    {
#pragma warning disable CS0649 // Never assigned: the probe is only measured.
        public byte Lead;
        public T Value;
#pragma warning restore CS0649
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PooledGen;

namespace Particles;

/// <summary>
/// Handles to the live blocks of one <c>[Pooled]</c> type, walked in address order, so that a frame's update reads
/// the heap front to back.
/// </summary>
/// <remarks>
/// <para>Why address order: PooledGen never moves a block, and a pool hands its freed blocks out again last freed
/// first, so the particles born in one frame lie scattered over the pools that had room. Walked in the order they were
/// born (or shuffled by swap-removes), the update jumps about the heap and waits on memory at nearly every particle;
/// walked by address, it reads each pool's blocks in order and the processor fetches them ahead. The class world has
/// the same order without asking for it: the GC allocates in address order and compacts in address order, so a list
/// kept in the order its objects were born is already in memory order.</para>
/// <para>What the order costs: each walk first sorts the handles born since the last one (a frame's births, about a
/// twelfth of the live ones), then merges them into the survivors while it compacts, so keeping the order takes no
/// extra pass over the live blocks. The walk expires nothing by itself: whatever the caller does not
/// <see cref="Walk.Keep"/> is dropped from the list, and the caller frees it.</para>
/// </remarks>
public sealed class LiveBlocks<T>(int capacity) where T : unmanaged
{
    private Pooled<T>[] _survivors = new Pooled<T>[capacity];
    private Pooled<T>[] _kept = new Pooled<T>[capacity];
    private int _survivorCount;
    private readonly List<Pooled<T>> _newborn = new(capacity / 8);

    /// <summary>The blocks the next walk will visit.</summary>
    public int Count => _survivorCount + _newborn.Count;

    /// <summary>Adds a block born since the last walk; the next walk visits it in its place by address.</summary>
    public void Add(Pooled<T> block) => _newborn.Add(block);

    /// <summary>Starts a walk over every block, in address order. Walk it to the end: the last <see cref="Walk.Next"/> puts the kept blocks in place.</summary>
    public Walk StartWalk()
    {
        if (_kept.Length < Count)
        {
            _kept = new Pooled<T>[Math.Max(Count, 2 * _kept.Length)];
        }

        Span<Pooled<T>> newborn = CollectionsMarshal.AsSpan(_newborn);
        SortByAddress(newborn, _kept);
        return new Walk(this, _survivors.AsSpan(0, _survivorCount), newborn, _kept);
    }

    private void Finish(int keptCount)
    {
        (_survivors, _kept) = (_kept, _survivors);
        _survivorCount = keptCount;
        _newborn.Clear();
    }

    /// <summary>
    /// One pass over the live blocks in address order, merging the survivors of the last walk with the blocks born since.
    /// <see cref="Next"/> gives each block once; <see cref="Keep"/> keeps the block just given for the next walk.
    /// </summary>
    public ref struct Walk
    {
        private readonly LiveBlocks<T> _blocks;
        private readonly Span<Pooled<T>> _survivors;
        private readonly Span<Pooled<T>> _newborn;
        private readonly Span<Pooled<T>> _kept;
        private int _nextSurvivor;
        private int _nextNewborn;
        private int _keptCount;

        internal Walk(LiveBlocks<T> blocks, Span<Pooled<T>> survivors, Span<Pooled<T>> newborn, Span<Pooled<T>> kept)
        {
            _blocks = blocks;
            _survivors = survivors;
            _newborn = newborn;
            _kept = kept;
        }

        /// <summary>The next block by address; false when every block has been given (the kept ones are then the list).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Next(out Pooled<T> block)
        {
            if (_nextSurvivor < _survivors.Length)
            {
                block = _nextNewborn < _newborn.Length && Key(_newborn[_nextNewborn]) < Key(_survivors[_nextSurvivor])
                    ? _newborn[_nextNewborn++]
                    : _survivors[_nextSurvivor++];
                return true;
            }

            if (_nextNewborn < _newborn.Length)
            {
                block = _newborn[_nextNewborn++];
                return true;
            }

            if (_keptCount >= 0)
            {
                _blocks.Finish(_keptCount);
                _keptCount = -1;
            }

            block = default;
            return false;
        }

        /// <summary>Keeps <paramref name="block"/>, the one <see cref="Next"/> just gave, for the next walk.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Keep(Pooled<T> block) => _kept[_keptCount++] = block;
    }

    /// <summary>What the walk orders by: the handle itself, which is its block's address (see <see cref="SortByAddress"/>).</summary>
    private static ulong Key(Pooled<T> block) => Unsafe.BitCast<Pooled<T>, ulong>(block);

    /// <summary>Bits of the address sorted in one pass of <see cref="SortByAddress"/>: 2,048 counters, 8 KiB of stack.</summary>
    private const int DigitBits = 11;

    /// <summary>
    /// Sorts <paramref name="blocks"/> by address with a radix sort (<paramref name="scratch"/>, at least as long, is
    /// its work space). A handle is its block's address, 8 bytes, so handles sort as numbers, by counting: two or three
    /// passes over a frame's newborn, half the time <c>Span.Sort</c> took here. Only the bits in which the addresses
    /// differ are sorted, and never the low four (blocks are 16-byte aligned). In debug mode a handle's high bits also
    /// carry a generation: the order is then by generation first, which costs the walk its locality but nothing else.
    /// </summary>
    private static void SortByAddress(Span<Pooled<T>> blocks, Span<Pooled<T>> scratch)
    {
        if (blocks.Length < 2)
        {
            return;
        }

        Span<ulong> keys = MemoryMarshal.Cast<Pooled<T>, ulong>(blocks);
        Span<ulong> sorted = MemoryMarshal.Cast<Pooled<T>, ulong>(scratch)[..keys.Length];
        ulong lowest = ulong.MaxValue, highest = 0;
        foreach (var key in keys)
        {
            lowest = Math.Min(lowest, key);
            highest = Math.Max(highest, key);
        }

        var differingBits = 64 - BitOperations.LeadingZeroCount(lowest ^ highest);
        Span<int> starts = stackalloc int[1 << DigitBits];
        for (var shift = 4; shift < differingBits; shift += DigitBits)
        {
            starts.Clear();
            foreach (var key in keys)
            {
                starts[Digit(key, shift)]++;
            }

            var start = 0;
            foreach (ref var count in starts)
            {
                (count, start) = (start, start + count);
            }

            foreach (var key in keys)
            {
                sorted[starts[Digit(key, shift)]++] = key;
            }

            var pass = keys;
            keys = sorted;
            sorted = pass;
        }

        if (keys != MemoryMarshal.Cast<Pooled<T>, ulong>(blocks))
        {
            keys.CopyTo(sorted);
        }
    }

    private static int Digit(ulong key, int shift) => (int)(key >> shift) & ((1 << DigitBits) - 1);
}

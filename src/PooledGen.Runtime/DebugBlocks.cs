using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PooledGen;

/// <summary>
/// The live blocks of one debug heap, each with its stamp and allocation site: what double-free and stale-handle
/// checks consult, and what the leak report and the per-type statistics are made of. Debug mode only (a release
/// heap has none), so it may take a lock and allocate.
/// </summary>
internal sealed unsafe class DebugBlocks
{
    /// <summary>The most freed blocks held back from reuse by a debug heap (see <see cref="Quarantine"/>).</summary>
    public const int QuarantineBlocks = 1024;

    /// <summary>The most bytes of freed blocks held back from reuse.</summary>
    public const long QuarantineBytes = 1 << 20;

    private readonly object _lock = new();
    private readonly Dictionary<nuint, LiveAllocation> _live = new();
    private readonly Queue<LiveAllocation> _quarantine = new();
    private readonly long[] _quarantinedPerClass = new long[SizeClass.Count];
    private long _quarantinedBytes;

    /// <summary>Records a block just handed out.</summary>
    public void Add(LiveAllocation block)
    {
        lock (_lock)
        {
            _live.Add(block.Address, block);
        }
    }

    /// <summary>
    /// Checks a block being freed and forgets it: it must be live, carry the handle's tag (when freed through a tagged
    /// handle, in process-wide debug mode) and have whole guards. On any failure it throws and nothing changes.
    /// </summary>
    public LiveAllocation Take(byte* user, ushort tag, Type? type)
    {
        lock (_lock)
        {
            if (!_live.TryGetValue((nuint)user, out LiveAllocation? block))
            {
                if (tag != 0 || type is not null || (ArenaRegistry.Contains((nuint)user & HeapGeometry.ArenaMask) && DebugLayout.LooksFreed(user, _live)))
                {
                    throw AlreadyFreed(user, type, "");
                }

                throw new ArgumentException(
                    $"PooledGen: 0x{(nuint)user:X} is not the address of a live block of this debug heap (an interior pointer, or a block already freed); nothing was freed.",
                    "pointer");
            }

            string typeName = type is null ? block.TypeName : DebugLayout.NameOf(type);
            if (tag != 0 && DebugLayout.Tag(block.Stamp) != tag)
            {
                throw new ObjectDisposedException(HandleName(typeName),
                    $"PooledGen: double free through a stale handle: the {typeName} block at 0x{(nuint)user:X} was freed and has been allocated again " +
                    $"since ({block.TypeName}, at {block.AllocationSite}); nothing was freed.");
            }

            DebugLayout.CheckGuards(block, typeName);
            _live.Remove((nuint)user);
            return block;
        }
    }

    /// <summary>
    /// Holds a freed pool block back from reuse (its bytes dead, its stamp odd), so that a stale handle freed again is
    /// a double free of a block nobody owns rather than the free of someone else's block. Returns the block that
    /// leaves the quarantine to go back to its pool, or null.
    /// </summary>
    public LiveAllocation? Quarantine(LiveAllocation block)
    {
        lock (_lock)
        {
            _quarantine.Enqueue(block);
            _quarantinedPerClass[block.SizeClass]++;
            _quarantinedBytes += block.BlockSize;
            if (_quarantine.Count <= QuarantineBlocks && _quarantinedBytes <= QuarantineBytes)
            {
                return null;
            }

            LiveAllocation oldest = _quarantine.Dequeue();
            _quarantinedPerClass[oldest.SizeClass]--;
            _quarantinedBytes -= oldest.BlockSize;
            return oldest;
        }
    }

    /// <summary>Per size class, the raw blocks waiting in the quarantine: in use for their pool, freed for the user.</summary>
    public long[] QuarantinedPerClass()
    {
        lock (_lock)
        {
            return (long[])_quarantinedPerClass.Clone();
        }
    }

    /// <summary>Empties the quarantine (Trim): the blocks it held, to go back to their pools.</summary>
    public List<LiveAllocation> ReleaseQuarantine()
    {
        lock (_lock)
        {
            var released = new List<LiveAllocation>(_quarantine);
            _quarantine.Clear();
            Array.Clear(_quarantinedPerClass);
            _quarantinedBytes = 0;
            return released;
        }
    }

    /// <summary>The live blocks, by type name, allocation site and address.</summary>
    public List<LiveAllocation> Snapshot()
    {
        LiveAllocation[] blocks;
        lock (_lock)
        {
            blocks = [.. _live.Values];
        }

        return blocks
            .OrderBy(b => b.TypeName, StringComparer.Ordinal)
            .ThenBy(b => b.AllocationSite, StringComparer.Ordinal)
            .ThenBy(b => b.Address)
            .ToList();
    }

    /// <summary>Per-type live counts, bytes lost to padding (as a release heap would lay the blocks out) and to guards.</summary>
    public (PooledTypeStatistics[] Types, long Padding, long Guards) Summarize()
    {
        var types = new Dictionary<Type, (long Count, long Size)>();
        long padding = 0;
        long guards = 0;
        lock (_lock)
        {
            foreach (LiveAllocation block in _live.Values)
            {
                int releaseBlock = DebugLayout.ReleaseBlockSize(block.Size);
                long releaseBytes = releaseBlock == 0 ? block.Size : releaseBlock;
                padding += releaseBytes - block.Size;
                guards += block.BlockSize - releaseBytes;
                if (block.Type is { } type)
                {
                    types[type] = types.TryGetValue(type, out (long Count, long Size) seen) ? (seen.Count + 1, block.Size) : (1, block.Size);
                }
            }
        }

        PooledTypeStatistics[] list = types
            .Select(t => new PooledTypeStatistics(DebugLayout.NameOf(t.Key), (int)t.Value.Size, DebugLayout.ReleaseBlockSize(t.Value.Size), t.Value.Count, t.Value.Count * t.Value.Size))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToArray();
        return (list, padding, guards);
    }

    /// <summary>
    /// A handle's block is no longer live (debug mode's <see cref="Pooled{T}.Value"/>, without a lock): its stamp says
    /// freed, or, for a tagged handle, it holds another allocation now.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static void CheckHandle(void* user, ushort tag, Type type)
    {
        bool readable = ArenaRegistry.Contains((nuint)user & HeapGeometry.ArenaMask) || LargeObjects.TryGet(user, out _, out _);
        bool live = readable && (DebugLayout.StampOf((byte*)user) & 1) == 0;
        if (live && (tag == 0 || DebugLayout.Tag(DebugLayout.StampOf((byte*)user)) == tag))
        {
            return;
        }

        string typeName = DebugLayout.NameOf(type);
        throw new ObjectDisposedException(HandleName(typeName),
            $"PooledGen: use after free: the {typeName} block at 0x{(nuint)user:X} behind this handle was freed" +
            (live ? " and has been allocated again since." : "."));
    }

    /// <summary>The exception for a second free of a block.</summary>
    public static ObjectDisposedException AlreadyFreed(void* user, Type? type, string detail)
    {
        string typeName = DebugLayout.NameOf(type);
        return new ObjectDisposedException(HandleName(typeName),
            $"PooledGen: double free: the {typeName} block at 0x{(nuint)user:X} was already freed{detail}; nothing was freed.");
    }

    private static string HandleName(string typeName) => string.Create(CultureInfo.InvariantCulture, $"Pooled<{typeName}>");
}

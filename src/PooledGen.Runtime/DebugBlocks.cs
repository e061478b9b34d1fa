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
    private readonly object _lock = new();
    private readonly Dictionary<nuint, LiveAllocation> _live = new();

    /// <summary>Records a block just handed out.</summary>
    public void Add(LiveAllocation block)
    {
        lock (_lock)
        {
            _live.Add(block.Address, block);
        }
    }

    /// <summary>
    /// Checks a block being freed and forgets it: it must be live, carry the handle's stamp (when freed through a
    /// handle) and have whole guards. On any failure it throws and nothing changes.
    /// </summary>
    public LiveAllocation Take(byte* user, ulong stamp, Type? type)
    {
        lock (_lock)
        {
            if (!_live.TryGetValue((nuint)user, out LiveAllocation? block))
            {
                if (stamp != 0 || (ArenaRegistry.Contains((nuint)user & HeapGeometry.ArenaMask) && DebugLayout.LooksFreed(user, _live)))
                {
                    throw AlreadyFreed(user, type, "");
                }

                throw new ArgumentException(
                    $"PooledGen: 0x{(nuint)user:X} is not the address of a live block of this debug heap (an interior pointer, or a block already freed); nothing was freed.",
                    "pointer");
            }

            string typeName = type is null ? block.TypeName : DebugLayout.NameOf(type);
            if (stamp != 0 && block.Stamp != stamp)
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

    /// <summary>A handle's block is no longer live: <see cref="Pooled{T}.Value"/> in debug mode, without a lock.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static void CheckHandle(void* user, ulong stamp, Type type)
    {
        bool readable = ArenaRegistry.Contains((nuint)user & HeapGeometry.ArenaMask) || LargeObjects.TryGet(user, out _, out _);
        if (readable && DebugLayout.StampOf((byte*)user) == stamp)
        {
            return;
        }

        string typeName = DebugLayout.NameOf(type);
        throw new ObjectDisposedException(HandleName(typeName),
            $"PooledGen: use after free: the {typeName} block at 0x{(nuint)user:X} behind this handle was freed" +
            (readable && (DebugLayout.StampOf((byte*)user) & 1) == 0 ? " and has been allocated again since." : "."));
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

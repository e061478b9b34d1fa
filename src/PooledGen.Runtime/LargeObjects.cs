using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace PooledGen;

/// <summary>
/// The large-object path: requests over <see cref="PooledHeap.SmallObjectThreshold"/> bytes, or for a struct
/// aligned more strictly than a pool can honour, go straight to <see cref="NativeMemory.AlignedAlloc"/>. Every live
/// large block of every heap is recorded here so that a free can be checked and counted against its heap.
/// A lock guards the table: this path is as slow as the operating system's allocator anyway.
/// </summary>
internal static unsafe class LargeObjects
{
    private static readonly object s_lock = new();
    private static readonly Dictionary<nuint, (int HeapId, nuint Size)> s_blocks = new();

    /// <summary>Records a block <paramref name="heapId"/> just allocated.</summary>
    public static void Register(void* block, int heapId, nuint size)
    {
        lock (s_lock)
        {
            s_blocks.Add((nuint)block, (heapId, size));
        }
    }

    /// <summary>Frees a large block if it is one; false (and nothing touched) when it is not.</summary>
    public static bool TryFree(void* block)
    {
        (int HeapId, nuint Size) entry;
        lock (s_lock)
        {
            if (!s_blocks.Remove((nuint)block, out entry))
            {
                return false;
            }
        }

        NativeMemory.AlignedFree(block);
        HeapRegistry.Get(entry.HeapId)?.OnLargeObjectFreed(entry.Size);
        return true;
    }

    /// <summary>Frees a large block.</summary>
    /// <exception cref="ArgumentException"><paramref name="block"/> is not a live large block.</exception>
    public static void Free(void* block)
    {
        if (!TryFree(block))
        {
            throw new ArgumentException(
                $"PooledGen: 0x{(nuint)block:X} is not a live block of the large-object path (already freed, or never allocated by PooledGen); nothing was freed.",
                nameof(block));
        }
    }

    /// <summary>Frees every large block of a heap being disposed.</summary>
    public static void FreeAllOf(int heapId)
    {
        lock (s_lock)
        {
            var mine = new List<nuint>();
            foreach (KeyValuePair<nuint, (int HeapId, nuint Size)> pair in s_blocks)
            {
                if (pair.Value.HeapId == heapId)
                {
                    mine.Add(pair.Key);
                }
            }

            foreach (nuint block in mine)
            {
                s_blocks.Remove(block);
                NativeMemory.AlignedFree((void*)block);
            }
        }
    }
}

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

    // Keyed by the address handed out: the block's own address, or in debug mode the address past its guard prefix
    // (Offset bytes in), so that a free finds the block from what the user holds.
    private static readonly Dictionary<nuint, (int HeapId, nuint Size, int Offset)> s_blocks = new();

    // Per heap id, the bytes of every large block registered since the heap was created (the counter of bytes
    // allocated needs them; this path is slow anyway, so counting here costs the heaps' fast paths nothing).
    private static readonly Dictionary<int, long> s_bytesRegistered = new();

    /// <summary>Records a block <paramref name="heapId"/> just allocated, handed out at <paramref name="block"/> + <paramref name="offset"/>.</summary>
    public static void Register(void* block, int offset, int heapId, nuint size)
    {
        lock (s_lock)
        {
            s_blocks.Add((nuint)block + (nuint)offset, (heapId, size, offset));
            CollectionsMarshal.GetValueRefOrAddDefault(s_bytesRegistered, heapId, out _) += (long)size;
        }
    }

    /// <summary>The bytes of every large block heap <paramref name="heapId"/> has had registered since it was created.</summary>
    public static long BytesRegisteredBy(int heapId)
    {
        lock (s_lock)
        {
            return s_bytesRegistered.GetValueOrDefault(heapId);
        }
    }

    /// <summary>True when <paramref name="address"/> is a live large block as handed out; gives its heap and size.</summary>
    public static bool TryGet(void* address, out int heapId, out nuint size)
    {
        lock (s_lock)
        {
            bool found = s_blocks.TryGetValue((nuint)address, out (int HeapId, nuint Size, int Offset) entry);
            heapId = entry.HeapId;
            size = entry.Size;
            return found;
        }
    }

    /// <summary>True when <paramref name="address"/> is a live large block of a debug heap, which only the debug checks free.</summary>
    public static bool IsDebugBlock(void* address)
    {
        lock (s_lock)
        {
            return s_blocks.TryGetValue((nuint)address, out (int HeapId, nuint Size, int Offset) entry) && entry.Offset != 0;
        }
    }

    /// <summary>
    /// Frees a large block if it is one (of a release heap, or with <paramref name="debugBlock"/> of a debug heap);
    /// false (and nothing touched) when it is not.
    /// </summary>
    public static bool TryFree(void* block, bool debugBlock = false)
    {
        (int HeapId, nuint Size, int Offset) entry;
        lock (s_lock)
        {
            if (!s_blocks.TryGetValue((nuint)block, out entry) || (entry.Offset != 0) != debugBlock)
            {
                return false;
            }

            s_blocks.Remove((nuint)block);
        }

        NativeMemory.AlignedFree((byte*)block - entry.Offset);
        HeapRegistry.Get(entry.HeapId)?.OnLargeObjectFreed(entry.Size);
        return true;
    }

    /// <summary>Frees a large block of type <paramref name="type"/> (a typed free), as named in the refusal.</summary>
    /// <exception cref="ArgumentException"><paramref name="block"/> is not a live large block.</exception>
    public static void Free(void* block, Type type)
    {
        if (!TryFree(block))
        {
            if (IsDebugBlock(block))
            {
                // A debug heap's large block freed through a release entry point: its checks still run.
                ArenaHeap.FreeDebug(block, 0, type);
                return;
            }

            throw new ArgumentException(
                $"PooledGen: the {DebugLayout.NameOf(type)} block at 0x{(nuint)block:X} is not a live block of the large-object path " +
                "(already freed, its heap disposed, or never allocated by PooledGen); nothing was freed.",
                nameof(block));
        }
    }

    /// <summary>The number and bytes of the live large blocks of heap <paramref name="heapId"/> (for the heap walker).</summary>
    public static (long Count, long Bytes) Summarize(int heapId)
    {
        lock (s_lock)
        {
            long count = 0;
            long bytes = 0;
            foreach ((int HeapId, nuint Size, int Offset) entry in s_blocks.Values)
            {
                if (entry.HeapId == heapId)
                {
                    count++;
                    bytes += (long)entry.Size;
                }
            }

            return (count, bytes);
        }
    }

    /// <summary>Frees every large block of a heap being disposed.</summary>
    public static void FreeAllOf(int heapId)
    {
        lock (s_lock)
        {
            var mine = new List<(nuint Address, int Offset)>();
            foreach (KeyValuePair<nuint, (int HeapId, nuint Size, int Offset)> pair in s_blocks)
            {
                if (pair.Value.HeapId == heapId)
                {
                    mine.Add((pair.Key, pair.Value.Offset));
                }
            }

            foreach ((nuint address, int offset) in mine)
            {
                s_blocks.Remove(address);
                NativeMemory.AlignedFree((void*)(address - (nuint)offset));
            }

            s_bytesRegistered.Remove(heapId);
        }
    }
}

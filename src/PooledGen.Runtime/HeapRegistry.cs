using System;
using System.Threading;

namespace PooledGen;

/// <summary>The live heaps by id, so that a block's arena header (which stores an id) leads to its heap.</summary>
internal static class HeapRegistry
{
    private static readonly object s_lock = new();
    private static ArenaHeap?[] s_heaps = new ArenaHeap?[8];
    private static int s_nextId = 1;

    /// <summary>Registers a new heap and returns its id (ids are never reused).</summary>
    public static int Add(ArenaHeap heap)
    {
        lock (s_lock)
        {
            int id = s_nextId++;
            ArenaHeap?[] heaps = s_heaps;
            if (id >= heaps.Length)
            {
                Array.Resize(ref heaps, heaps.Length * 2);
            }

            heaps[id] = heap;
            Volatile.Write(ref s_heaps, heaps);
            return id;
        }
    }

    /// <summary>Forgets a disposed heap.</summary>
    public static void Remove(int id)
    {
        lock (s_lock)
        {
            s_heaps[id] = null;
        }
    }

    /// <summary>The heap with id <paramref name="id"/>, or null once disposed.</summary>
    public static ArenaHeap? Get(int id)
    {
        ArenaHeap?[] heaps = Volatile.Read(ref s_heaps);
        return (uint)id < (uint)heaps.Length ? heaps[id] : null;
    }
}

using System;
using System.Collections.Generic;

namespace PooledGen;

/// <summary>
/// The <c>[Pooled]</c> types, registered once each by generated code at type initialisation, so that statistics can
/// name them. Registration is a slow path (once per type), guarded by a lock.
/// </summary>
internal static unsafe class TypeRegistry
{
    private static readonly object s_lock = new();
    private static readonly Dictionary<Type, PooledTypeInfo> s_types = new();
    private static PooledTypeInfo[] s_snapshot = [];

    /// <summary>Records <typeparamref name="T"/> under <paramref name="typeName"/> (again: no change).</summary>
    public static void Register<T>(string typeName) where T : unmanaged
    {
        lock (s_lock)
        {
            if (s_types.ContainsKey(typeof(T)))
            {
                return;
            }

            int blockSize = BlockLayout<T>.IsLarge ? 0 : SizeClass.BlockSize(BlockLayout<T>.Class);
            s_types.Add(typeof(T), new PooledTypeInfo(typeName, sizeof(T), BlockLayout<T>.Alignment, blockSize));
            s_snapshot = [.. s_types.Values];
        }
    }

    /// <summary>The registered types.</summary>
    public static IReadOnlyList<PooledTypeInfo> Snapshot()
    {
        lock (s_lock)
        {
            return s_snapshot;
        }
    }
}

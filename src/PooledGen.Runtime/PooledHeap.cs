using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PooledGen;

/// <summary>
/// The PooledGen allocator. PLACEHOLDER: this first version hands every request to
/// <see cref="NativeMemory"/> so that the solution builds end to end; the arena/pool/block allocator of
/// issue #3 replaces the inside of this type and keeps its public shape.
/// </summary>
public static unsafe class PooledHeap
{
    /// <summary>Requests of more bytes than this go to the large-object path.</summary>
    public const int SmallObjectThreshold = 512;

    /// <summary>Allocates a zeroed <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pooled<T> Alloc<T>() where T : unmanaged
    {
        var p = (T*)NativeMemory.AlignedAlloc((nuint)Math.Max(sizeof(T), 16), 16);
        *p = default;
        return new Pooled<T>(p, 0);
    }

    /// <summary>Allocates a <typeparamref name="T"/> holding a copy of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Pooled<T> Alloc<T>(in T value) where T : unmanaged
    {
        var p = (T*)NativeMemory.AlignedAlloc((nuint)Math.Max(sizeof(T), 16), 16);
        *p = value;
        return new Pooled<T>(p, 0);
    }

    /// <summary>Frees the block behind <paramref name="item"/>. Freeing <see cref="Pooled{T}.Null"/> does nothing.</summary>
    public static void Free<T>(Pooled<T> item) where T : unmanaged
    {
        if (!item.IsNull)
        {
            NativeMemory.AlignedFree(item.Pointer);
        }
    }

    /// <summary>
    /// Checks, once per type at type initialisation, that the size the generator computed at compile time for
    /// <typeparamref name="T"/> matches the CLR's, and records the type's name for statistics.
    /// Called by generated code; not meant to be called by hand.
    /// </summary>
    /// <param name="typeName">The type's display name.</param>
    /// <param name="compileTimeSize">The generator's size, or -1 where it could not be computed.</param>
    /// <exception cref="InvalidOperationException">The sizes differ.</exception>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static bool RegisterType<T>(string typeName, int compileTimeSize) where T : unmanaged
    {
        if (compileTimeSize != -1 && compileTimeSize != sizeof(T))
        {
            throw new InvalidOperationException(
                $"PooledGen computed {compileTimeSize} bytes for {typeName} at compile time but the runtime lays it out in {sizeof(T)} bytes. " +
                "Allocation uses the runtime size; please report this layout to the PooledGen project.");
        }

        return true;
    }
}

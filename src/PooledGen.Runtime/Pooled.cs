using System;
using System.Runtime.CompilerServices;

namespace PooledGen;

/// <summary>
/// A handle to one <typeparamref name="T"/> allocated off the GC heap by a <see cref="PooledHeap"/>.
/// It is a plain value: copying it copies the handle, not the struct, and exactly one copy must be freed.
/// </summary>
/// <typeparam name="T">The unmanaged struct held in the block.</typeparam>
public readonly unsafe struct Pooled<T> : IEquatable<Pooled<T>>, IDisposable where T : unmanaged
{
    private readonly T* _pointer;
    // Debug mode stamps each allocation of a block with a generation; a handle that carries an old one is stale.
    private readonly ulong _stamp;

    internal Pooled(T* pointer, ulong stamp)
    {
        _pointer = pointer;
        _stamp = stamp;
    }

    /// <summary>The null handle: <see cref="IsNull"/> is true and freeing it does nothing.</summary>
    public static Pooled<T> Null => default;

    /// <summary>True for the null handle, which holds no block.</summary>
    public bool IsNull => _pointer == null;

    /// <summary>
    /// The address of the struct. Valid until the handle is freed. Not checked in debug mode (frees and pointer code
    /// stay as they are); <see cref="Value"/> is.
    /// </summary>
    public T* Pointer => _pointer;

    /// <summary>The allocation stamp the heap gave this handle (used by debug mode to detect stale handles).</summary>
    internal ulong Stamp => _stamp;

    /// <summary>Debug mode: throws <see cref="ObjectDisposedException"/> when the block was freed since this handle was made.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void CheckNotFreed() => DebugBlocks.CheckHandle(_pointer, _stamp, typeof(T));

    /// <summary>A reference to the struct in its block. Valid until the handle is freed.</summary>
    /// <exception cref="NullReferenceException">The handle is <see cref="Null"/>.</exception>
    /// <exception cref="ObjectDisposedException">
    /// Debug mode: the block was freed since this handle was made (it may even hold another allocation now).
    /// </exception>
    public ref T Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            // A static readonly the JIT folds: in release mode Value is the null test and the dereference, nothing
            // more. (Only the process-wide switch turns this check on; a private debug heap checks its handles on Free.)
            if (DebugMode.Enabled && _stamp != 0)
            {
                CheckNotFreed();
            }

            if (_pointer == null)
            {
                ThrowNull();
            }

            return ref *_pointer;
        }
    }

    /// <summary>Frees the block, as <see cref="PooledHeap.Free{T}(Pooled{T})"/> does. Dispose exactly one copy of a handle.</summary>
    /// <exception cref="PoolCorruptionException">Debug mode: a guard byte around the block was overwritten; nothing was freed.</exception>
    /// <exception cref="ObjectDisposedException">Debug mode: the block was already freed; nothing was freed.</exception>
    public void Dispose() => PooledHeap.Free(this);

    /// <inheritdoc />
    public bool Equals(Pooled<T> other) => _pointer == other._pointer && _stamp == other._stamp;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Pooled<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ((nuint)_pointer).GetHashCode();

    /// <summary>Two handles are equal when they hold the same allocation.</summary>
    public static bool operator ==(Pooled<T> left, Pooled<T> right) => left.Equals(right);

    /// <summary>Two handles differ when they hold different allocations.</summary>
    public static bool operator !=(Pooled<T> left, Pooled<T> right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() =>
        IsNull ? $"Pooled<{typeof(T).Name}>(null)" : $"Pooled<{typeof(T).Name}>(0x{(nuint)_pointer:X})";

    private static void ThrowNull() =>
        throw new NullReferenceException($"The Pooled<{typeof(T).Name}> handle is null: it holds no block.");
}

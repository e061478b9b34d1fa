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
    // The block's address: 8 bytes, like what malloc returns. While the process-wide debug switch is on, bits 48-63
    // also carry the allocation's generation (DebugLayout.Tag), which Value and Free compare with the block's own so
    // that a stale handle is caught even after its block was reused; x64 user addresses fit in the low 48 bits.
    private readonly T* _value;

    internal Pooled(T* value) => _value = value;

    /// <summary>The null handle: <see cref="IsNull"/> is true and freeing it does nothing.</summary>
    public static Pooled<T> Null => default;

    /// <summary>True for the null handle, which holds no block.</summary>
    public bool IsNull => _value == null;

    /// <summary>
    /// The address of the struct. Valid until the handle is freed. Not checked in debug mode (frees and pointer code
    /// stay as they are); <see cref="Value"/> is.
    /// </summary>
    public T* Pointer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => DebugMode.Enabled ? (T*)DebugLayout.Untag(_value) : _value;
    }

    /// <summary>The allocation's generation this handle carries: 0 unless the process-wide debug switch is on.</summary>
    internal ushort Tag => DebugMode.Enabled ? DebugLayout.TagOfHandle(_value) : (ushort)0;

    /// <summary>
    /// Debug mode: throws <see cref="ObjectDisposedException"/> when the block was freed since this handle was made (or,
    /// with the process-wide switch on, freed and allocated again).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void CheckNotFreed() => DebugBlocks.CheckHandle(Pointer, Tag, typeof(T));

    /// <summary>A reference to the struct in its block. Valid until the handle is freed.</summary>
    /// <exception cref="NullReferenceException">The handle is <see cref="Null"/>.</exception>
    /// <exception cref="ObjectDisposedException">
    /// Process-wide debug mode: the block was freed since this handle was made (it may even hold another allocation now).
    /// </exception>
    public ref T Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            // A static readonly the JIT folds: in release mode Value is the null test and the dereference, nothing
            // more. (Only the process-wide switch turns this check on; a private debug heap checks its handles on Free.)
            if (DebugMode.Enabled)
            {
                return ref CheckedValue();
            }

            if (_value == null)
            {
                ThrowNull();
            }

            return ref *_value;
        }
    }

    /// <summary>Frees the block, as <see cref="PooledHeap.Free{T}(Pooled{T})"/> does. Dispose exactly one copy of a handle.</summary>
    /// <exception cref="PoolCorruptionException">Debug mode: a guard byte around the block was overwritten; nothing was freed.</exception>
    /// <exception cref="ObjectDisposedException">Debug mode: the block was already freed; nothing was freed.</exception>
    public void Dispose() => PooledHeap.Free(this);

    /// <inheritdoc />
    public bool Equals(Pooled<T> other) => _value == other._value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Pooled<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ((nuint)Pointer).GetHashCode();

    /// <summary>Two handles are equal when they hold the same allocation.</summary>
    public static bool operator ==(Pooled<T> left, Pooled<T> right) => left.Equals(right);

    /// <summary>Two handles differ when they hold different allocations.</summary>
    public static bool operator !=(Pooled<T> left, Pooled<T> right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() =>
        IsNull ? $"Pooled<{typeof(T).Name}>(null)" : $"Pooled<{typeof(T).Name}>(0x{(nuint)Pointer:X})";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref T CheckedValue()
    {
        if (_value == null)
        {
            ThrowNull();
        }

        CheckNotFreed();
        return ref *Pointer;
    }

    private static void ThrowNull() =>
        throw new NullReferenceException($"The Pooled<{typeof(T).Name}> handle is null: it holds no block.");
}

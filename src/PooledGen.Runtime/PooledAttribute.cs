using System;

namespace PooledGen;

/// <summary>
/// Marks a <c>partial struct</c> whose instances are allocated off the GC heap by the PooledGen allocator.
/// The PooledGen source generator adds <c>Alloc</c>, <c>Free</c>, <c>PooledSize</c> and <c>PooledBlockSize</c>
/// to the struct; the PooledGen analyzers report at compile time why a struct cannot be pooled.
/// </summary>
/// <example>
/// <code>
/// [Pooled]
/// public partial struct Particle { public float X, Y, Life; }
///
/// Pooled&lt;Particle&gt; p = Particle.Alloc();
/// p.Value.Life = 1f;
/// Particle.Free(p);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class PooledAttribute : Attribute
{
}
